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

Reverb::Reverb(double sample_rate_hz, const ReverbSettings& settings) {
    for (int tuning : kCombTunings) {
        combs_left_.push_back({std::vector<float>(Scaled(tuning, sample_rate_hz), 0.0f), 0, 0.0f});
        combs_right_.push_back({std::vector<float>(Scaled(tuning + kStereoSpread, sample_rate_hz), 0.0f), 0, 0.0f});
    }
    for (int tuning : kAllpassTunings) {
        allpasses_left_.push_back({std::vector<float>(Scaled(tuning, sample_rate_hz), 0.0f), 0});
        allpasses_right_.push_back({std::vector<float>(Scaled(tuning + kStereoSpread, sample_rate_hz), 0.0f), 0});
    }
    pre_delay_.assign(std::max<size_t>(1, static_cast<size_t>(std::lround(settings.pre_delay_s * sample_rate_hz))),
                      0.0f);
    feedback_ = static_cast<float>(0.7 + 0.28 * std::clamp(settings.room_size, 0.0, 1.0));
    damp1_ = static_cast<float>(0.4 * std::clamp(settings.damping, 0.0, 1.0));
    damp2_ = 1.0f - damp1_;
    input_gain_ = kFixedInputGain;
    const double width = std::clamp(settings.width, 0.0, 1.0);
    wet1_ = static_cast<float>(kWetScale * settings.wet_gain * (width / 2 + 0.5));
    wet2_ = static_cast<float>(kWetScale * settings.wet_gain * ((1 - width) / 2));
    hp_coeff_ = static_cast<float>(
        std::exp(-2.0 * std::numbers::pi * settings.input_highpass_hz / sample_rate_hz));
}

void Reverb::Process(std::span<const float> mono_in, std::span<float> stereo_out) {
    const size_t frames = std::min(mono_in.size(), stereo_out.size() / 2);
    const size_t pre_size = pre_delay_.size();
    for (size_t i = 0; i < frames; ++i) {
        // One-pole high-pass, then pre-delay.
        const float x = mono_in[i];
        hp_y1_ = hp_coeff_ * (hp_y1_ + x - hp_x1_);
        hp_x1_ = x;
        const float delayed = pre_delay_[pre_delay_index_];
        pre_delay_[pre_delay_index_] = hp_y1_;
        if (++pre_delay_index_ == pre_size) pre_delay_index_ = 0;
        const float input = delayed * input_gain_;

        float left = 0.0f, right = 0.0f;
        for (Comb& comb : combs_left_) {
            const float out = comb.buffer[comb.index];
            comb.store = out * damp2_ + comb.store * damp1_;
            comb.buffer[comb.index] = input + comb.store * feedback_;
            if (++comb.index == comb.buffer.size()) comb.index = 0;
            left += out;
        }
        for (Comb& comb : combs_right_) {
            const float out = comb.buffer[comb.index];
            comb.store = out * damp2_ + comb.store * damp1_;
            comb.buffer[comb.index] = input + comb.store * feedback_;
            if (++comb.index == comb.buffer.size()) comb.index = 0;
            right += out;
        }
        for (Allpass& allpass : allpasses_left_) {
            const float buffered = allpass.buffer[allpass.index];
            allpass.buffer[allpass.index] = left + buffered * kAllpassFeedback;
            if (++allpass.index == allpass.buffer.size()) allpass.index = 0;
            left = buffered - left;
        }
        for (Allpass& allpass : allpasses_right_) {
            const float buffered = allpass.buffer[allpass.index];
            allpass.buffer[allpass.index] = right + buffered * kAllpassFeedback;
            if (++allpass.index == allpass.buffer.size()) allpass.index = 0;
            right = buffered - right;
        }
        stereo_out[2 * i] = left * wet1_ + right * wet2_;
        stereo_out[2 * i + 1] = right * wet1_ + left * wet2_;
    }
    // Keep the tail's decaying state out of the denormal range.
    for (auto* combs : {&combs_left_, &combs_right_}) {
        for (Comb& comb : *combs) {
            if (std::fabs(comb.store) < 1e-20f) comb.store = 0.0f;
        }
    }
    if (std::fabs(hp_y1_) < 1e-20f) hp_y1_ = 0.0f;
}

}  // namespace amapiano::mix
