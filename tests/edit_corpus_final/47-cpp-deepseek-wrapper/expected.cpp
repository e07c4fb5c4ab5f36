#include <iostream>
#include <stdexcept>
#include <vector>

class Matrix {
public:
    Matrix(size_t rows, size_t cols) : rows_(rows), cols_(cols), data_(rows * cols, 0.0) {}

    double& at(size_t r, size_t c) { return data_[r * cols_ + c]; }
    double at(size_t r, size_t c) const { return data_[r * cols_ + c]; }

    size_t rows() const { return rows_; }
    size_t cols() const { return cols_; }

    Matrix multiply(const Matrix& other) const {
        if (cols_ != other.rows_) {
            throw std::invalid_argument("matrix dimensions do not match");
        }
        Matrix result(rows_, other.cols_);
        for (size_t i = 0; i < rows_; ++i) {
            for (size_t j = 0; j < other.cols_; ++j) {
                double sum = 0.0;
                for (size_t k = 0; k < cols_; ++k) {
                    sum += at(i, k) * other.at(k, j);
                }
                result.at(i, j) = sum;
            }
        }
        return result;
    }

private:
    size_t rows_;
    size_t cols_;
    std::vector<double> data_;
};
