#include <algorithm>
#include <string>
#include <vector>

namespace text {

std::string trim(const std::string& input) {
    auto begin = input.find_first_not_of(" \t\n");
    if (begin == std::string::npos) {
        return "";
    }
    auto end = input.find_last_not_of(" \t\n");
    return input.substr(begin, end - begin + 1);
}

std::vector<std::string> split(const std::string& input, char sep) {
    std::vector<std::string> parts;
    std::string current;
    for (char c : input) {
        if (c == sep) {
            parts.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    parts.push_back(current);
    return parts;
}

std::string to_lower(std::string input) {
    std::transform(input.begin(), input.end(), input.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return input;
}

}  // namespace text
