#include "pipeline/analyze_file.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/spectral_frames.h"
#include "audio/audio_decoder.h"
#include "audio/mono_resampler.h"

namespace amapiano::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
}

constexpr size_t kBlockFrames = 16384;
constexpr size_t kMaxQueuedBlocks = 8;  // bounds memory when the loudness thread falls behind

// Hands decoded blocks to the loudness meter on its own thread.
class SourceWorker final {
public:
    explicit SourceWorker(analysis::Analyzer& analyzer) : analyzer_(analyzer), thread_([this] { Run(); }) {}
    ~SourceWorker() { Close(); }

    void Push(std::vector<float> block) {
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return queue_.size() < kMaxQueuedBlocks; });
        queue_.push_back(std::move(block));
        ready_.notify_one();
    }
    void Close() {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        ready_.notify_one();
        if (thread_.joinable()) thread_.join();
    }

private:
    void Run() {
        while (true) {
            std::vector<float> block;
            {
                std::unique_lock lock(mutex_);
                ready_.wait(lock, [&] { return closed_ || !queue_.empty(); });
                if (queue_.empty()) return;
                block = std::move(queue_.front());
                queue_.pop_front();
                space_.notify_one();
            }
            analyzer_.PushSource(block);
        }
    }

    analysis::Analyzer& analyzer_;
    std::mutex mutex_;
    std::condition_variable ready_, space_;
    std::deque<std::vector<float>> queue_;
    bool closed_ = false;
    std::thread thread_;
};

}  // namespace

Result<FileAnalysis> AnalyzeFile(const std::filesystem::path& path, analysis::FeatureSet features) {
    const auto start = Clock::now();
    auto decoder = audio::AudioDecoder::Open(path);
    if (!decoder) return decoder.error();
    const audio::AudioStreamInfo& info = (*decoder)->info();
    auto analyzer = analysis::Analyzer::Create(features, info.sample_rate_hz, info.channels);
    if (!analyzer) return analyzer.error();
    std::unique_ptr<audio::MonoResampler> resampler;
    if ((*analyzer)->wants_mono()) {
        auto created =
            audio::MonoResampler::Create(info.sample_rate_hz, info.channels, analysis::kAnalysisRateHz);
        if (!created) return created.error();
        resampler = std::move(*created);
    }

    FileAnalysis result;
    result.codec = info.codec;
    result.container = info.container;
    double analyse_s = 0.0;
    std::vector<float> mono;
    {
        std::optional<SourceWorker> worker;
        if ((*analyzer)->wants_source()) worker.emplace(**analyzer);
        const size_t channels = size_t(info.channels);
        while (true) {
            std::vector<float> block(kBlockFrames * channels);
            auto frames = (*decoder)->Read(block);
            if (!frames) return frames.error();  // the worker is joined on the way out
            if (*frames == 0) break;
            block.resize(*frames * channels);
            if (resampler) {
                mono.clear();
                resampler->Push(block, mono);
                const auto t = Clock::now();
                (*analyzer)->PushMono(mono);
                analyse_s += Seconds(t);
            }
            if (worker) worker->Push(std::move(block));
        }
        if (resampler) {
            mono.clear();
            resampler->Flush(mono);
            (*analyzer)->PushMono(mono);
        }
    }
    const auto finish_start = Clock::now();
    result.analysis = (*analyzer)->Finish((*decoder)->frames_decoded());
    analyse_s += Seconds(finish_start);
    result.timings.total_s = Seconds(start);
    result.timings.analyse_s = analyse_s;
    result.timings.decode_s = result.timings.total_s - analyse_s;
    return result;
}

}  // namespace amapiano::pipeline
