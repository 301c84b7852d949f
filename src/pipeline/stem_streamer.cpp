#include "pipeline/stem_streamer.h"

#include <cassert>
#include <chrono>

namespace amapiano::pipeline {

StemStreamer::StemStreamer(std::vector<std::unique_ptr<audio::AudioFileWriter>> writers,
                           size_t max_block_frames, size_t ring_depth)
    : writers_(std::move(writers)) {
    storage_.resize(ring_depth * writers_.size(), std::vector<float>(2 * max_block_frames));
    sets_.resize(ring_depth);
    for (size_t set = 0; set < ring_depth; ++set) {
        for (size_t w = 0; w < writers_.size(); ++w)
            sets_[set].emplace_back(storage_[set * writers_.size() + w]);
        free_sets_.push_back(set);
    }
    thread_ = std::thread([this] { WriterLoop(); });
}

StemStreamer::~StemStreamer() {
    Close();
    if (thread_.joinable()) thread_.join();
}

std::span<const std::span<float>> StemStreamer::Acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    assert(!acquired_);
    changed_.wait(lock, [this] { return !free_sets_.empty(); });
    acquired_ = free_sets_.front();
    free_sets_.pop_front();
    return sets_[*acquired_];
}

void StemStreamer::Submit(size_t offset_frames, size_t frames) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        assert(acquired_);
        queue_.push_back({*acquired_, offset_frames, frames});
        acquired_.reset();
    }
    changed_.notify_all();
}

void StemStreamer::Close() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (acquired_) {  // acquired but never submitted: give it back
            free_sets_.push_back(*acquired_);
            acquired_.reset();
        }
        closing_ = true;
    }
    changed_.notify_all();
}

Status StemStreamer::Finish() {
    Close();
    if (thread_.joinable()) thread_.join();
    if (error_) return *error_;
    return Status::Ok();
}

void StemStreamer::WriterLoop() {
    for (;;) {
        Job job;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait(lock, [this] { return closing_ || !queue_.empty(); });
            if (queue_.empty()) break;  // closing and nothing left
            job = queue_.front();
            queue_.pop_front();
        }
        const auto start = std::chrono::steady_clock::now();
        if (!error_) {
            for (size_t w = 0; w < writers_.size(); ++w) {
                const std::span<const float> part =
                    sets_[job.set][w].subspan(2 * job.offset_frames, 2 * job.frames);
                if (Status s = writers_[w]->Write(part); !s) {
                    error_ = s.error();  // written only by this thread; read after join
                    break;
                }
            }
        }
        busy_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            free_sets_.push_back(job.set);
        }
        changed_.notify_all();
    }
    // Flushing to disk is slow (fsync per file); doing it here overlaps it with the caller's work.
    const auto start = std::chrono::steady_clock::now();
    for (auto& writer : writers_) {
        if (error_) break;
        if (Status s = writer->Finish(); !s) error_ = s.error();
    }
    busy_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace amapiano::pipeline
