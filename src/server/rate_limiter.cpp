#include "server/rate_limiter.h"

#include <algorithm>

namespace amapiano::server {

bool RateLimiter::Allow(const std::string& client, std::chrono::steady_clock::time_point now) {
    if (per_minute_ <= 0) return true;
    std::lock_guard lock(mutex_);
    if (now - last_sweep_ > std::chrono::minutes(1)) {
        std::erase_if(buckets_,
                      [&](const auto& kv) { return now - kv.second.last > std::chrono::minutes(10); });
        last_sweep_ = now;
    }
    auto [it, fresh] = buckets_.try_emplace(client, Bucket{double(per_minute_), now});
    Bucket& b = it->second;
    if (!fresh) {
        const double elapsed = std::chrono::duration<double>(now - b.last).count();
        b.tokens = std::min(double(per_minute_), b.tokens + elapsed * per_minute_ / 60.0);
        b.last = now;
    }
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
}

}  // namespace amapiano::server
