#include "mix/reverb.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace amapiano::mix {
namespace {

// Jezar's Freeverb tunings, in samples at 44.1 kHz; the right side is offset by kStereoSpread.
constexpr int kCombTunings[] = {1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617};
constexpr int kAllpassTunings[] = {556, 441, 341, 225};
constexpr int kStereoSpread = 23;
constexpr float kFixedInputGain = 0.015f;
constexpr float kWetScale = 3.0f;
constexpr float kAllpassFeedback = 0.5f;

size_t Scaled(int samples_at_44k, double sample_rate_hz) {
    return std::max<size_t>(1, static_cast<size_t>(std::lround(samples_at_44k * sample_rate_hz / 44100.0)));
}

}  // namespace

Reverb::Reverb(double full_rate_hz, const ReverbSettings& settings) {
    half_rate_ = full_rate_hz >= 32000.0;
    const double sample_rate_hz = half_rate_ ? full_rate_hz / 2.0 : full_rate_hz;
    for (int c = 0; c < kCombs; ++c) {
        left_.comb_buffer[c].assign(Scaled(kCombTunings[c], sample_rate_hz), 0.0f);
        right_.comb_buffer[c].assign(Scaled(kCombTunings[c] + kStereoSpread, sample_rate_hz), 0.0f);
    }
    for (int a = 0; a < kAllpasses; ++a) {
        left_.allpass_buffer[a].assign(Scaled(kAllpassTunings[a], sample_rate_hz), 0.0f);
        right_.allpass_buffer[a].assign(Scaled(kAllpassTunings[a] + kStereoSpread, sample_rate_hz), 0.0f);
    }
    pre_delay_.assign(
        std::max<size_t>(1, static_cast<size_t>(std::lround(settings.pre_delay_s * sample_rate_hz))), 0.0f);
    feedback_ = static_cast<float>(0.7 + 0.28 * std::clamp(settings.room_size, 0.0, 1.0));
    damp1_ = static_cast<float>(0.4 * std::clamp(settings.damping, 0.0, 1.0));
    damp2_ = 1.0f - damp1_;
    input_gain_ = kFixedInputGain;
    const double width = std::clamp(settings.width, 0.0, 1.0);
    wet1_ = static_cast<float>(kWetScale * settings.wet_gain * (width / 2 + 0.5));
    wet2_ = static_cast<float>(kWetScale * settings.wet_gain * ((1 - width) / 2));
    hp_coeff_ =
        static_cast<float>(std::exp(-2.0 * std::numbers::pi * settings.input_highpass_hz / sample_rate_hz));
}

// One side's tank over a run of tank-rate samples. The eight combs advance together sample by
// sample (their damping recurrences are independent, so the CPU overlaps them, and each sample sums
// them in comb order as before); runs are cut where any comb's ring buffer wraps, so the inner loop
// has no wrap branches. Then the allpasses in series, each over the whole run.
void Reverb::RunTank(Side& side, const float* in, float* out, size_t n) const {
    float* buffers[kCombs];
    float store[kCombs];
    for (int c = 0; c < kCombs; ++c) store[c] = side.comb_store[c];
    for (size_t j = 0; j < n;) {
        size_t run = n - j;
        for (int c = 0; c < kCombs; ++c) {
            run = std::min(run, side.comb_buffer[c].size() - side.comb_index[c]);
            buffers[c] = side.comb_buffer[c].data() + side.comb_index[c];
        }
        for (size_t k = 0; k < run; ++k) {
            const float x = in[j + k];
            float sum = 0.0f;
            for (int c = 0; c < kCombs; ++c) {
                const float o = buffers[c][k];
                store[c] = o * damp2_ + store[c] * damp1_;
                buffers[c][k] = x + store[c] * feedback_;
                sum += o;
            }
            out[j + k] = sum;
        }
        for (int c = 0; c < kCombs; ++c) {
            side.comb_index[c] += run;
            if (side.comb_index[c] == side.comb_buffer[c].size()) side.comb_index[c] = 0;
        }
        j += run;
    }
    for (int c = 0; c < kCombs; ++c) side.comb_store[c] = store[c];
    for (int a = 0; a < kAllpasses; ++a) {
        float* buffer = side.allpass_buffer[a].data();
        const size_t size = side.allpass_buffer[a].size();
        size_t index = side.allpass_index[a];
        for (size_t j = 0; j < n;) {
            const size_t run = std::min(n - j, size - index);
            for (size_t k = 0; k < run; ++k) {
                const float buffered = buffer[index + k];
                const float x = out[j + k];
                buffer[index + k] = x + buffered * kAllpassFeedback;
                out[j + k] = buffered - x;
            }
            j += run;
            index += run;
            if (index == size) index = 0;
        }
        side.allpass_index[a] = index;
    }
}

void Reverb::Process(std::span<const float> mono_in, std::span<float> stereo_out) {
    const size_t frames = std::min(mono_in.size(), stereo_out.size() / 2);
    const size_t pre_size = pre_delay_.size();
    Side left = std::move(left_), right = std::move(right_);  // locals: no aliasing with the output
    constexpr size_t kChunk = 1024;                           // tank-rate samples per pass (stack scratch)
    float tank_in[kChunk], tank_left[kChunk], tank_right[kChunk];
    for (size_t frame = 0; frame < frames;) {
        // 1. Input: half-rate pairing, one-pole high-pass, pre-delay -> tank input samples.
        const size_t chunk_start = frame;
        const bool odd_at_start = odd_;
        size_t steps = 0;
        while (frame < frames && steps < kChunk) {
            float x = mono_in[frame++];
            if (half_rate_) {
                if (!odd_) {  // even frame: remember the input, the output holds
                    pending_ = x;
                    odd_ = true;
                    continue;
                }
                x = 0.5f * (pending_ + x);
                odd_ = false;
            }
            hp_y1_ = hp_coeff_ * (hp_y1_ + x - hp_x1_);
            hp_x1_ = x;
            const float delayed = pre_delay_[pre_delay_index_];
            pre_delay_[pre_delay_index_] = hp_y1_;
            if (++pre_delay_index_ == pre_size) pre_delay_index_ = 0;
            tank_in[steps++] = delayed * input_gain_;
        }
        // 2. The tanks.
        RunTank(left, tank_in, tank_left, steps);
        RunTank(right, tank_in, tank_right, steps);
        // 3. Output, frame by frame: held and interpolated at half rate.
        bool odd = odd_at_start;
        size_t step = 0;
        for (size_t i = chunk_start; i < frame; ++i) {
            if (half_rate_ && !odd) {
                odd = true;
                stereo_out[2 * i] = last_left_;
                stereo_out[2 * i + 1] = last_right_;
                continue;
            }
            odd = false;
            const float l = tank_left[step], r = tank_right[step];
            ++step;
            const float out_left = l * wet1_ + r * wet2_;
            const float out_right = r * wet1_ + l * wet2_;
            if (half_rate_) {
                stereo_out[2 * i] = 0.5f * (last_left_ + out_left);
                stereo_out[2 * i + 1] = 0.5f * (last_right_ + out_right);
            } else {
                stereo_out[2 * i] = out_left;
                stereo_out[2 * i + 1] = out_right;
            }
            last_left_ = out_left;
            last_right_ = out_right;
        }
    }
    // Keep the tail's decaying state out of the denormal range.
    for (Side* side : {&left, &right}) {
        for (float& store : side->comb_store) {
            if (std::fabs(store) < 1e-20f) store = 0.0f;
        }
    }
    if (std::fabs(hp_y1_) < 1e-20f) hp_y1_ = 0.0f;
    left_ = std::move(left);
    right_ = std::move(right);
}

}  // namespace amapiano::mix
