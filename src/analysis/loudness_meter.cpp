#include "analysis/loudness_meter.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <deque>

#include "analysis/true_peak.h"

namespace amapiano::analysis {
namespace {

struct EburDeleter final {
    void operator()(ebur128_state* state) const { ebur128_destroy(&state); }
};

constexpr int kMaxRateHz = 384000;
constexpr int kMaxChannels = 8;
constexpr size_t kMomentarySteps = 4;   // 400 ms
constexpr size_t kShortTermSteps = 30;  // 3 s

double EnergyToLufs(double energy) { return energy > 0.0 ? -0.691 + 10.0 * std::log10(energy) : -HUGE_VAL; }

double Floored(double lufs) {
    return std::isfinite(lufs) ? std::max(lufs, kLoudnessFloorLufs) : kLoudnessFloorLufs;
}

void SetChannelMap(ebur128_state* state, int channels) {
    // libebur128's default map is L R C LFE Ls Rs; quad files (L R Ls Rs) need their rear pair
    // weighted as surrounds, not as centre and LFE.
    if (channels == 4) {
        ebur128_set_channel(state, 2, EBUR128_LEFT_SURROUND);
        ebur128_set_channel(state, 3, EBUR128_RIGHT_SURROUND);
    } else if (channels == 5) {
        ebur128_set_channel(state, 3, EBUR128_LEFT_SURROUND);
        ebur128_set_channel(state, 4, EBUR128_RIGHT_SURROUND);
    }
    for (int c = 6; c < channels; ++c) ebur128_set_channel(state, unsigned(c), EBUR128_LEFT_SURROUND);
}

}  // namespace

struct LoudnessMeter::State final {
    std::unique_ptr<ebur128_state, EburDeleter> ebur;
    int channels = 0;
    size_t frames_per_step = 0;  // 100 ms
    size_t frames_in_step = 0;
    double momentary_max = -HUGE_VAL;
    double short_term_max = -HUGE_VAL;
    // Mean-square (K-weighted, channel-weighted) energy of the last 30 steps of 100 ms: momentary
    // loudness is the mean of the last 4, short-term of the last 30. Asking libebur128 for the
    // 3-second window every 100 ms would re-sum 3 s of samples each time.
    std::deque<double> step_energy;
    std::unique_ptr<TruePeakMeter> true_peak;
};

Result<std::unique_ptr<LoudnessMeter>> LoudnessMeter::Create(int sample_rate_hz, int channels) {
    // libebur128 keeps 3 s of filtered audio per channel in doubles: the limits keep that under
    // ~75 MB, and cover every programme format BS.1770 defines (up to 7.1).
    if (sample_rate_hz < 8000 || sample_rate_hz > kMaxRateHz || channels < 1 || channels > kMaxChannels) {
        return Error::Unsupported("EBU R128 loudness covers 1-8 channels at 8-384 kHz, not " +
                                  std::to_string(channels) + " channels at " +
                                  std::to_string(sample_rate_hz) +
                                  " Hz (leave loudness out of --features to analyse the rest)");
    }
    auto state = std::make_unique<State>();
    state->ebur.reset(ebur128_init(unsigned(channels), static_cast<unsigned long>(sample_rate_hz),
                                   EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_M | EBUR128_MODE_S));
    if (!state->ebur) return Error::Internal("libebur128 could not be initialised");
    SetChannelMap(state->ebur.get(), channels);
    state->channels = channels;
    state->frames_per_step = size_t(sample_rate_hz) / 10;
    state->true_peak = std::make_unique<TruePeakMeter>(channels);
    return std::unique_ptr<LoudnessMeter>(new LoudnessMeter(std::move(state)));
}

LoudnessMeter::LoudnessMeter(std::unique_ptr<State> state) : state_(std::move(state)) {}
LoudnessMeter::~LoudnessMeter() = default;

void LoudnessMeter::Push(std::span<const float> interleaved) {
    State& s = *state_;
    s.true_peak->Push(interleaved);
    size_t frames = interleaved.size() / size_t(s.channels);
    const float* data = interleaved.data();
    // Feed in 100 ms steps so the momentary and short-term maxima are sampled at the rate
    // EBU Tech 3341 asks for (at least 10 Hz).
    while (frames > 0) {
        const size_t take = std::min(frames, s.frames_per_step - s.frames_in_step);
        ebur128_add_frames_float(s.ebur.get(), data, take);
        data += take * size_t(s.channels);
        frames -= take;
        s.frames_in_step += take;
        if (s.frames_in_step == s.frames_per_step) Measure100ms();
    }
}

void LoudnessMeter::Measure100ms() {
    State& s = *state_;
    s.frames_in_step = 0;
    double lufs = -HUGE_VAL;
    double energy = 0.0;
    if (ebur128_loudness_window(s.ebur.get(), 100, &lufs) == EBUR128_SUCCESS && std::isfinite(lufs)) {
        energy = std::pow(10.0, (lufs + 0.691) / 10.0);
    }
    s.step_energy.push_back(energy);
    if (s.step_energy.size() > kShortTermSteps) s.step_energy.pop_front();
    const size_t steps = s.step_energy.size();
    if (steps >= kMomentarySteps) {
        double sum = 0.0;
        for (size_t i = steps - kMomentarySteps; i < steps; ++i) sum += s.step_energy[i];
        s.momentary_max = std::max(s.momentary_max, EnergyToLufs(sum / kMomentarySteps));
    }
    if (steps == kShortTermSteps) {
        double sum = 0.0;
        for (double e : s.step_energy) sum += e;
        s.short_term_max = std::max(s.short_term_max, EnergyToLufs(sum / kShortTermSteps));
    }
}

LoudnessResult LoudnessMeter::Finish() {
    State& s = *state_;
    LoudnessResult result;
    double value = -HUGE_VAL;
    if (ebur128_loudness_global(s.ebur.get(), &value) == EBUR128_SUCCESS)
        result.integrated_lufs = Floored(value);
    if (ebur128_loudness_range(s.ebur.get(), &value) == EBUR128_SUCCESS && std::isfinite(value)) {
        result.range_lu = std::max(0.0, value);
    }
    const double peak = s.true_peak->Peak();
    result.true_peak_dbtp = peak > 0.0 ? Floored(20.0 * std::log10(peak)) : kLoudnessFloorLufs;
    result.momentary_max_lufs = Floored(s.momentary_max);
    result.short_term_max_lufs = Floored(s.short_term_max);
    return result;
}

}  // namespace amapiano::analysis
