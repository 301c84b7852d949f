// RateLimiter: a token bucket per client (user id, or address when anonymous): `per_minute`
// requests a minute on average with bursts of up to `per_minute`. 0 turns limiting off.
//
//   RateLimiter limiter(1200);
//   if (!limiter.Allow("user:abc")) return 429;
//
// Buckets idle for 10 minutes are forgotten. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace amapiano::server {

class RateLimiter final {
public:
    explicit RateLimiter(int per_minute) : per_minute_(per_minute) {}

    bool Allow(const std::string& client,
               std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

private:
    struct Bucket final {
        double tokens = 0.0;
        std::chrono::steady_clock::time_point last;
    };
    int per_minute_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
    std::chrono::steady_clock::time_point last_sweep_{};
};

}  // namespace amapiano::server
