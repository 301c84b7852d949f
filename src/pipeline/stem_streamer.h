// StemStreamer: writes stem blocks to their files on a background thread, so encoding and disk I/O
// overlap with synthesis and mixing instead of adding to them.
//
//   StemStreamer streamer(std::move(writers), 4096);
//   for (each block) {
//       std::span<const std::span<float>> stems = streamer.Acquire();   // one buffer per stem
//       ... fill stems[i][0 .. 2 * frames) ...
//       streamer.Submit(0, frames);                                      // written in the background
//   }
//   streamer.Close();               // flushes in the background ...
//   Status s = streamer.Finish();   // ... all blocks written, every file flushed (not yet renamed)
//
// A small ring of buffer sets bounds memory; Acquire() waits when the writer falls behind.
// Acquire/Submit/Finish are called from one thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "audio/audio_file_writer.h"
#include "core/error.h"

namespace amapiano::pipeline {

class StemStreamer final {
public:
    StemStreamer(std::vector<std::unique_ptr<audio::AudioFileWriter>> writers, size_t max_block_frames,
                 size_t ring_depth = 3);
    ~StemStreamer();
    StemStreamer(const StemStreamer&) = delete;
    StemStreamer& operator=(const StemStreamer&) = delete;

    // Interleaved stereo buffers (2 * max_block_frames samples each), one per writer, for the next block.
    std::span<const std::span<float>> Acquire();
    // Queues the acquired buffers: frames [offset_frames, offset_frames + frames) of each are written.
    void Submit(size_t offset_frames, size_t frames);
    // No more blocks: the background thread writes what is queued, then finishes (flushes) every
    // file, while the caller goes on with other work. Acquire/Submit must not be called after it.
    void Close();
    // Close(), then wait for the background thread. Returns the first error, if any.
    Status Finish();

    std::vector<std::unique_ptr<audio::AudioFileWriter>>& writers() { return writers_; }
    // Seconds the background thread spent encoding, writing and flushing (valid after Finish).
    double busy_s() const { return busy_s_; }

private:
    struct Job final {
        size_t set = 0;
        size_t offset_frames = 0;
        size_t frames = 0;
    };
    void WriterLoop();

    std::vector<std::unique_ptr<audio::AudioFileWriter>> writers_;
    std::vector<std::vector<float>> storage_;          // ring_depth * writer count buffers
    std::vector<std::vector<std::span<float>>> sets_;  // views per ring slot
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<size_t> free_sets_;
    std::deque<Job> queue_;
    std::optional<size_t> acquired_;
    std::optional<Error> error_;
    bool closing_ = false;
    double busy_s_ = 0.0;
    std::thread thread_;
};

}  // namespace amapiano::pipeline
