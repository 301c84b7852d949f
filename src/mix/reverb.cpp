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

inline float Reverb::ProcessSide(Side& side, float input) {
    float sum = 0.0f;
    for (int c = 0; c < kCombs; ++c) {
        float* buffer = side.comb_buffer[c].data();
        const size_t index = side.comb_index[c];
        const float out = buffer[index];
        side.comb_store[c] = out * damp2_ + side.comb_store[c] * damp1_;
        buffer[index] = input + side.comb_store[c] * feedback_;
        side.comb_index[c] = index + 1 == side.comb_buffer[c].size() ? 0 : index + 1;
        sum += out;
    }
    for (int a = 0; a < kAllpasses; ++a) {
        float* buffer = side.allpass_buffer[a].data();
        const size_t index = side.allpass_index[a];
        const float buffered = buffer[index];
        buffer[index] = sum + buffered * kAllpassFeedback;
        side.allpass_index[a] = index + 1 == side.allpass_buffer[a].size() ? 0 : index + 1;
        sum = buffered - sum;
    }
    return sum;
}

void Reverb::Process(std::span<const float> mono_in, std::span<float> stereo_out) {
    const size_t frames = std::min(mono_in.size(), stereo_out.size() / 2);
    const size_t pre_size = pre_delay_.size();
    Side left = std::move(left_), right = std::move(right_);  // locals: no aliasing with the output
    for (size_t i = 0; i < frames; ++i) {
        float x = mono_in[i];
        if (half_rate_) {
            if (!odd_) {
                // Even frame: hold the last tank output, remember the input.
                pending_ = x;
                odd_ = true;
                stereo_out[2 * i] = last_left_;
                stereo_out[2 * i + 1] = last_right_;
                continue;
            }
            x = 0.5f * (pending_ + x);
            odd_ = false;
        }
        // One-pole high-pass, then pre-delay.
        hp_y1_ = hp_coeff_ * (hp_y1_ + x - hp_x1_);
        hp_x1_ = x;
        const float delayed = pre_delay_[pre_delay_index_];
        pre_delay_[pre_delay_index_] = hp_y1_;
        if (++pre_delay_index_ == pre_size) pre_delay_index_ = 0;
        const float input = delayed * input_gain_;
        const float l = ProcessSide(left, input);
        const float r = ProcessSide(right, input);
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
