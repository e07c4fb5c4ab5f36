#include <iostream>
#include <string>
#include <vector>

namespace stats {

class Series {
public:
    explicit Series(std::string name) : name_(std::move(name)) {}

    void push(double value) {
        values_.push_back(value);
    }

    double mean() const {
        if (values_.empty()) {
            return 0.0;
        }
        double sum = 0.0;
        for (double v : values_) {
            sum += v;
        }
        return sum / values_.size();
    }

    double max() const {
        double best = values_.front();
        for (double v : values_) {
            if (v > best) {
                best = v;
            }
        }
        return best;
    }

    const std::string& name() const { return name_; }

private:
    std::string name_;
    std::vector<double> values_;
};

}  // namespace stats
