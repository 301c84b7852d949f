// Reverb: a Freeverb-style stereo reverb (eight damped feedback combs and four allpasses per side,
// Schroeder/Moorer topology) with a pre-delay, for the mixer's send bus. At 32 kHz and above the
// tank runs at half the sample rate (pairs averaged in, outputs interpolated): the damped tail has
// little content above 10 kHz, and it halves the cost, which dominates the mixer.
//
//   Reverb reverb(44100.0);
//   reverb.Process(send_mono, wet_stereo);   // wet_stereo is interleaved, overwritten
//
// Thread: one thread at a time; Process() does not allocate, lock, log or throw.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace amapiano::mix {

struct ReverbSettings final {
    double room_size = 0.82;  // 0..1; comb feedback 0.7..0.98 (0.82 is about 2 s RT60)
    double damping = 0.45;    // 0..1; high-frequency loss inside the combs
    double pre_delay_s = 0.02;
    double width = 1.0;                // 0 mono .. 1 full stereo spread of the tail
    double input_highpass_hz = 220.0;  // keeps the tail out of the kick/log-drum range
    double wet_gain = 1.0;             // linear gain of the return
};

class Reverb final {
public:
    explicit Reverb(double sample_rate_hz, const ReverbSettings& settings = {});

    // Reads `mono_in` (frames samples) and overwrites `stereo_out` (2 * frames, interleaved) with
    // the wet signal only.
    void Process(std::span<const float> mono_in, std::span<float> stereo_out);

private:
    static constexpr int kCombs = 8;
    static constexpr int kAllpasses = 4;
    // Fixed-size arrays so the per-sample loop keeps indices and damping state in registers.
    struct Side final {
        std::vector<float> comb_buffer[kCombs];
        size_t comb_index[kCombs] = {};
        float comb_store[kCombs] = {};
        std::vector<float> allpass_buffer[kAllpasses];
        size_t allpass_index[kAllpasses] = {};
    };

    void RunTank(Side& side, const float* in, float* out, size_t n) const;

    Side left_, right_;
    std::vector<float> pre_delay_;
    size_t pre_delay_index_ = 0;
    float feedback_ = 0.0f;
    float damp1_ = 0.0f, damp2_ = 0.0f;
    float input_gain_ = 0.0f;
    float wet1_ = 0.0f, wet2_ = 0.0f;
    // One-pole high-pass state on the input.
    float hp_coeff_ = 0.0f, hp_x1_ = 0.0f, hp_y1_ = 0.0f;
    // Half-rate operation: the pending input of an odd frame and the last tank output.
    bool half_rate_ = false;
    bool odd_ = false;
    float pending_ = 0.0f;
    float last_left_ = 0.0f, last_right_ = 0.0f;
};

}  // namespace amapiano::mix
