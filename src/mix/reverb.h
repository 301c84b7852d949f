// Reverb: a Freeverb-style stereo reverb (eight damped feedback combs and four allpasses per side,
// Schroeder/Moorer topology) with a pre-delay, for the mixer's send bus.
//
//   Reverb reverb(44100.0);
//   reverb.Process(send_mono, wet_stereo);   // wet_stereo is interleaved, overwritten
//
// Thread: one thread at a time; Process() does not allocate, lock, log or throw.
#pragma once

#include <span>
#include <vector>

namespace amapiano::mix {

struct ReverbSettings final {
    double room_size = 0.82;   // 0..1; comb feedback 0.7..0.98 (0.82 is about 2 s RT60)
    double damping = 0.45;     // 0..1; high-frequency loss inside the combs
    double pre_delay_s = 0.02;
    double width = 1.0;        // 0 mono .. 1 full stereo spread of the tail
    double input_highpass_hz = 220.0;  // keeps the tail out of the kick/log-drum range
    double wet_gain = 1.0;     // linear gain of the return
};

class Reverb final {
public:
    explicit Reverb(double sample_rate_hz, const ReverbSettings& settings = {});

    // Reads `mono_in` (frames samples) and overwrites `stereo_out` (2 * frames, interleaved) with
    // the wet signal only.
    void Process(std::span<const float> mono_in, std::span<float> stereo_out);

private:
    struct Comb final {
        std::vector<float> buffer;
        size_t index = 0;
        float store = 0.0f;
    };
    struct Allpass final {
        std::vector<float> buffer;
        size_t index = 0;
    };

    std::vector<Comb> combs_left_, combs_right_;
    std::vector<Allpass> allpasses_left_, allpasses_right_;
    std::vector<float> pre_delay_;
    size_t pre_delay_index_ = 0;
    float feedback_ = 0.0f;
    float damp1_ = 0.0f, damp2_ = 0.0f;
    float input_gain_ = 0.0f;
    float wet1_ = 0.0f, wet2_ = 0.0f;
    // One-pole high-pass state on the input.
    float hp_coeff_ = 0.0f, hp_x1_ = 0.0f, hp_y1_ = 0.0f;
};

}  // namespace amapiano::mix
