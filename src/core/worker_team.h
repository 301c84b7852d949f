// WorkerTeam: fork-join parallelism for short, repeated batches of independent tasks — e.g. "render
// these 11 tracks for this block" a few thousand times per track.
//
//   WorkerTeam team(2);                       // the calling thread + 1 helper thread
//   team.Run(tracks.size(), [&](size_t i) { Render(i); });   // returns when all i are done
//
// Tasks are claimed from an atomic counter, so which thread runs which task varies; callers must
// make results independent of that (write to per-task outputs, combine in a fixed order).
// Run() is called from one thread at a time. Tasks must not throw.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace amapiano {

class WorkerTeam final {
public:
    // `threads` counts the caller: 1 means everything runs inline on the calling thread.
    explicit WorkerTeam(size_t threads);
    ~WorkerTeam();
    WorkerTeam(const WorkerTeam&) = delete;
    WorkerTeam& operator=(const WorkerTeam&) = delete;

    size_t size() const { return helpers_.size() + 1; }

    // Runs task(0) ... task(count - 1) across the team and waits for all of them.
    void Run(size_t count, const std::function<void(size_t)>& task);

    // A sensible team size for CPU-bound work: the hardware threads, at least 1.
    static size_t DefaultSize();

private:
    void HelperLoop();
    void Drain();

    std::vector<std::thread> helpers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    const std::function<void(size_t)>* task_ = nullptr;
    size_t count_ = 0;
    std::atomic<size_t> next_{0};
    size_t generation_ = 0;
    size_t active_helpers_ = 0;
    bool stopping_ = false;
};

}  // namespace amapiano
