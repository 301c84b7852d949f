#include "mix/true_peak.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace amapiano::mix {
namespace {

constexpr int kTaps = 12;                           // per phase
constexpr int kHalf = kTaps / 2;                    // taps cover frames t - kHalf + 1 .. t + kHalf
constexpr int kPhases = kTruePeakOversampling - 1;  // fractional positions 1/4, 2/4, 3/4

struct Table final {
    std::array<std::array<float, kTaps>, kPhases> h{};
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
            // Kaiser-like raised-cosine window over the filter's span.
            const double w = 0.5 + 0.5 * std::cos(std::numbers::pi * d / (kHalf + 0.5));
            table.h[p][j] = static_cast<float>(sinc * w);
            sum += sinc * w;
        }
        for (float& v : table.h[p]) v = static_cast<float>(v / sum);  // unity gain at DC
    }
    return table;
}

const Table& Coefficients() {
    static const Table table = MakeTable();
    return table;
}

}  // namespace

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
    float peak = 0.0f;
    for (float v : x) peak = std::max(peak, std::fabs(v));
    return std::max(peak, StereoTruePeak(x, 0, x.size() / 2));
}

}  // namespace amapiano::mix
