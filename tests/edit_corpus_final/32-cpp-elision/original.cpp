#include <chrono>
#include <map>
#include <string>

class Cache {
public:
    explicit Cache(std::chrono::seconds ttl) : ttl_(ttl) {}

    void put(const std::string& key, const std::string& value) {
        entries_[key] = Entry{value, Clock::now()};
    }

    bool get(const std::string& key, std::string& out) {
        auto it = entries_.find(key);
        if (it == entries_.end()) {
            return false;
        }
        if (Clock::now() - it->second.stored > ttl_) {
            entries_.erase(it);
            return false;
        }
        out = it->second.value;
        return true;
    }

private:
    using Clock = std::chrono::steady_clock;
    struct Entry {
        std::string value;
        Clock::time_point stored;
    };
    std::chrono::seconds ttl_;
    std::map<std::string, Entry> entries_;
};
