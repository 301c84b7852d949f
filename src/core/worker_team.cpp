#include "core/worker_team.h"

namespace amapiano {

WorkerTeam::WorkerTeam(size_t threads) {
    for (size_t i = 1; i < threads; ++i) helpers_.emplace_back([this] { HelperLoop(); });
}

WorkerTeam::~WorkerTeam() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& helper : helpers_) helper.join();
}

size_t WorkerTeam::DefaultSize() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

void WorkerTeam::Drain() {
    for (size_t i = next_.fetch_add(1); i < count_; i = next_.fetch_add(1)) (*task_)(i);
}

void WorkerTeam::Run(size_t count, const std::function<void(size_t)>& task) {
    if (helpers_.empty() || count <= 1) {
        for (size_t i = 0; i < count; ++i) task(i);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        task_ = &task;
        count_ = count;
        next_.store(0);
        active_helpers_ = helpers_.size();
        ++generation_;
    }
    wake_.notify_all();
    Drain();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return active_helpers_ == 0; });
    task_ = nullptr;
}

void WorkerTeam::HelperLoop() {
    size_t seen = 0;
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
        }
        Drain();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            --active_helpers_;
        }
        done_.notify_one();
    }
}

}  // namespace amapiano
