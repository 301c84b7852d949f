#include "analysis/true_peak.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace amapiano::analysis {
namespace {

constexpr int kTaps = 12;                           // per phase
constexpr int kHalf = kTaps / 2;                    // taps cover frames t - kHalf + 1 .. t + kHalf
constexpr int kPhases = kTruePeakOversampling - 1;  // fractional positions 1/4, 2/4, 3/4

struct Table final {
    std::array<std::array<float, kTaps>, kPhases> h{};
    float gain_bound = 1.0f;  // max over phases of sum |h|: no interpolated point exceeds it x max|x|
};

Table MakeTable() {
    Table table;
    for (int p = 0; p < kPhases; ++p) {
        const double frac = static_cast<double>(p + 1) / kTruePeakOversampling;
        double sum = 0.0;
        for (int j = 0; j < kTaps; ++j) {
            const int offset = j - (kHalf - 1);  // frame offset relative to t
            const double d = frac - offset;      // distance from the tap to the interpolated point
            const double sinc = std::sin(std::numbers::pi * d) / (std::numbers::pi * d);
            // Raised-cosine window over the filter's span.
            const double w = 0.5 + 0.5 * std::cos(std::numbers::pi * d / (kHalf + 0.5));
            table.h[p][j] = static_cast<float>(sinc * w);
            sum += sinc * w;
        }
        for (float& v : table.h[p]) v = static_cast<float>(v / sum);  // unity gain at DC
        float l1 = 0.0f;
        for (float v : table.h[p]) l1 += std::fabs(v);
        table.gain_bound = std::max(table.gain_bound, l1 * 1.0001f);
    }
    return table;
}

const Table& Coefficients() {
    static const Table table = MakeTable();
    return table;
}

float SamplePeak(std::span<const float> x) {
    float peak = 0.0f;
    for (float v : x) peak = std::max(peak, std::fabs(v));
    return peak;
}

}  // namespace

float InterleavedTruePeak(std::span<const float> x, int channels, size_t begin_frame, size_t end_frame) {
    if (channels == 2) return StereoTruePeak(x, begin_frame, end_frame);
    const Table& table = Coefficients();
    const size_t ch = size_t(channels);
    const size_t frames = x.size() / ch;
    end_frame = std::min(end_frame, frames);
    float peak = 0.0f;
    float window[kTaps];
    for (size_t c = 0; c < ch; ++c) {
        for (size_t t = begin_frame; t < end_frame; ++t) {
            for (int j = 0; j < kTaps; ++j) {
                const long long frame = static_cast<long long>(t) + j - (kHalf - 1);
                const bool valid = frame >= 0 && frame < static_cast<long long>(frames);
                window[j] = valid ? x[ch * static_cast<size_t>(frame) + c] : 0.0f;
            }
            for (int p = 0; p < kPhases; ++p) {
                float v = 0.0f;
                for (int j = 0; j < kTaps; ++j) v += table.h[p][j] * window[j];
                peak = std::max(peak, std::fabs(v));
            }
        }
    }
    return peak;
}

float StereoTruePeak(std::span<const float> x, size_t begin_frame, size_t end_frame) {
    const Table& table = Coefficients();
    const size_t frames = x.size() / 2;
    end_frame = std::min(end_frame, frames);
    float peak = 0.0f;
    for (size_t t = begin_frame; t < end_frame; ++t) {
        const bool inside = t + 1 >= static_cast<size_t>(kHalf) && t + kHalf < frames;
        float window_left[kTaps], window_right[kTaps];
        if (inside) {
            const float* base = x.data() + 2 * (t + 1 - kHalf);
            for (int j = 0; j < kTaps; ++j) {
                window_left[j] = base[2 * j];
                window_right[j] = base[2 * j + 1];
            }
        } else {
            for (int j = 0; j < kTaps; ++j) {
                const long long frame = static_cast<long long>(t) + j - (kHalf - 1);
                const bool valid = frame >= 0 && frame < static_cast<long long>(frames);
                window_left[j] = valid ? x[2 * static_cast<size_t>(frame)] : 0.0f;
                window_right[j] = valid ? x[2 * static_cast<size_t>(frame) + 1] : 0.0f;
            }
        }
        for (int p = 0; p < kPhases; ++p) {
            float l = 0.0f, r = 0.0f;
            for (int j = 0; j < kTaps; ++j) {
                l += table.h[p][j] * window_left[j];
                r += table.h[p][j] * window_right[j];
            }
            peak = std::max(peak, std::max(std::fabs(l), std::fabs(r)));
        }
    }
    return peak;
}

float StereoTruePeakOfBuffer(std::span<const float> x) {
    return std::max(SamplePeak(x), StereoTruePeak(x, 0, x.size() / 2));
}

TruePeakMeter::TruePeakMeter(int channels) : channels_(std::max(1, channels)) {
    // Start with kHalf - 1 frames of silence so the first gaps see zeros before the signal.
    buffer_.assign(size_t(kHalf - 1) * size_t(channels_), 0.0f);
    done_frames_ = 0;
}

void TruePeakMeter::Push(std::span<const float> interleaved) {
    const size_t ch = size_t(channels_);
    peak_ = std::max(peak_, SamplePeak(interleaved));
    buffer_.insert(buffer_.end(), interleaved.begin(), interleaved.end());
    const size_t frames = buffer_.size() / ch;
    // Gap t (between t and t+1) needs frames up to t + kHalf: measure those whose taps are all here.
    if (frames < size_t(kHalf) + 1) return;
    const size_t end = frames - size_t(kHalf);
    // Interpolate only where it could matter: no point between frames exceeds gain_bound times the
    // largest sample under the filter, so chunks whose neighbourhood is quiet enough are skipped.
    const float bound = Coefficients().gain_bound;
    constexpr size_t kChunk = 64;
    for (size_t begin = done_frames_; begin < end; begin += kChunk) {
        const size_t stop = std::min(end, begin + kChunk);
        const size_t first = begin - std::min(begin, size_t(kHalf - 1));
        const size_t last = std::min(frames, stop + size_t(kHalf));
        const float local = SamplePeak(std::span(buffer_).subspan(first * ch, (last - first) * ch));
        if (local * bound > peak_) {
            peak_ = std::max(peak_, InterleavedTruePeak(buffer_, channels_, begin, stop));
        }
    }
    done_frames_ = std::max(done_frames_, end);
    // Keep the frames the next gaps need: from done_frames_ - (kHalf - 1).
    const size_t keep_from = done_frames_ - std::min(done_frames_, size_t(kHalf - 1));
    buffer_.erase(buffer_.begin(), buffer_.begin() + long(keep_from * ch));
    done_frames_ -= keep_from;
}

float TruePeakMeter::Peak() const {
    // The remaining gaps, with silence after the end.
    std::vector<float> tail = buffer_;
    tail.resize(tail.size() + size_t(kHalf) * size_t(channels_), 0.0f);
    const size_t frames = tail.size() / size_t(channels_);
    return std::max(peak_, InterleavedTruePeak(tail, channels_, done_frames_, frames - size_t(kHalf)));
}

}  // namespace amapiano::analysis
