#include "mix/mixer.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

#include "mix/biquad.h"
#include "mix/reverb.h"

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace amapiano::mix {
namespace {

using compose::Instrument;

// Process() works through its block in slices of this many frames, so callers may pass any
// block size; all scratch memory is sized for one slice in the constructor.
constexpr size_t kSliceFrames = Mixer::kMaxBlockFrames;

// Sidechain: envelope of max(|kick|, |log drum|) (raw instrument signals, whose peaks are about 1).
constexpr double kDuckAttackS = 0.002;
constexpr double kDuckReleaseS = 0.120;
// Envelope level at which a ducked channel reaches its full depth; below it ducking is partial.
constexpr float kDuckFullLevel = 0.35f;

// Width: the side signal is a delayed copy (Haas-style), added to one side and subtracted from the
// other, so the mono sum is unchanged.
constexpr double kWidthDelayS = 0.011;
constexpr float kWidthSideGain = 0.5f;

// Bus compressor: gentle, stereo-linked, RMS-ish detector.
constexpr double kBusThresholdDb = -19.0;
constexpr double kBusRatio = 2.0;
constexpr double kBusAttackS = 0.020;
constexpr double kBusReleaseS = 0.150;
constexpr double kBusKneeDb = 6.0;
constexpr size_t kBusControlFrames = 32;  // gain recomputed every 32 frames, interpolated between

// The channel gains below are the balance between instruments; this trim sets the bus headroom so
// that raw instrument peaks of about 1 sum to peaks near -6 dBFS (mastering sets the loudness).
constexpr double kHouseTrimDb = -5.0;

// Reverb return level relative to Freeverb's nominal wet gain.
constexpr double kReverbReturnGain = 0.6;

float DbToGain(double db) { return static_cast<float>(std::pow(10.0, db / 20.0)); }

float OnePoleCoefficient(double time_s, double sample_rate_hz) {
    return static_cast<float>(std::exp(-1.0 / (time_s * sample_rate_hz)));
}

struct Strip final {
    Instrument instrument = Instrument::kKeys;
    float gain = 1.0f;
    float pan_left = 0.70710678f;
    float pan_right = 0.70710678f;
    float duck_floor = 1.0f;  // gain at full duck depth
    bool ducked = false;
    float send = 0.0f;
    float side_gain = 0.0f;  // 0 = no width processing
    std::vector<Biquad> filters;
    std::vector<float> delay;  // width delay line
    size_t delay_index = 0;
    std::vector<float> post;  // this block's mono signal after EQ and ducking (feeds the reverb send)
};

// Denormals to zero while filter and reverb tails decay; restores the caller's mode on scope exit.
// Per thread (MXCSR is thread state), so every public entry point sets it.
class FlushDenormals final {
public:
#if defined(__SSE__)
    FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }
    ~FlushDenormals() { _mm_setcsr(saved_); }

private:
    unsigned int saved_;
#endif
};

}  // namespace

PanGains ConstantPowerPan(double pan) {
    const double angle = (std::clamp(pan, -1.0, 1.0) + 1.0) * std::numbers::pi / 4.0;
    return {static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))};
}

ChannelSettings DefaultChannelSettings(Instrument instrument, const compose::SoundDesign& sound) {
    // Shaker, clap, hats and rim need no high-pass here: their voices are band-limited at the
    // source (band-passed or high-passed noise, resonant clicks), and every filter costs render time.
    ChannelSettings s;
    switch (instrument) {
        case Instrument::kLogDrum:
            // The star of the low end: loud, full, no high-pass beyond rumble.
            s.gain_db = -5.0;
            s.highpass_hz = 28.0;
            s.bell_hz = 95.0;
            s.bell_gain_db = 1.5;
            s.bell_q = 0.9;
            s.reverb_send = 0.03;
            break;
        case Instrument::kKick:
            // Tight: no boom below 40 Hz, a dip where the log drum lives, a little click.
            s.gain_db = -7.0;
            s.highpass_hz = 38.0;
            s.bell_hz = 120.0;
            s.bell_gain_db = -2.5;
            s.bell_q = 1.2;
            s.low_shelf_hz = 0.0;
            break;
        case Instrument::kShaker:
            s.gain_db = -17.0;
            s.pan = 0.25;
            s.width = 0.3;
            s.reverb_send = 0.08;
            break;
        case Instrument::kClap:
            s.gain_db = -11.0;
            s.reverb_send = 0.28;
            s.width = 0.2;
            break;
        case Instrument::kHats:
            s.gain_db = -18.0;
            s.pan = -0.25;
            s.width = 0.2;
            s.reverb_send = 0.05;
            break;
        case Instrument::kRim:
            s.gain_db = -15.0;
            s.pan = 0.3;
            s.reverb_send = 0.12;
            break;
        case Instrument::kPerc:
            s.gain_db = -14.0;
            s.pan = -0.35;
            s.highpass_hz = 150.0;
            s.reverb_send = 0.12;
            break;
        case Instrument::kKeys:
            s.gain_db = -10.0;
            s.pan = 0.05;
            s.highpass_hz = 170.0;
            s.bell_hz = 350.0;  // take out low-mid mud
            s.bell_gain_db = -2.0;
            s.bell_q = 1.0;
            s.duck_depth_db = 4.5;
            s.reverb_send = 0.30;
            s.width = 0.35;
            break;
        case Instrument::kPad:
            s.gain_db = -15.0;
            s.highpass_hz = 200.0;
            s.lowpass_hz = 9000.0;
            s.duck_depth_db = 6.0;
            s.reverb_send = 0.40;
            s.width = 0.6;
            break;
        case Instrument::kBass:
            // Sub only, under the log drum.
            s.gain_db = -12.0;
            s.highpass_hz = 25.0;
            s.lowpass_hz = 220.0;
            break;
        case Instrument::kLead:
            s.gain_db = -12.0;
            s.pan = -0.1;
            s.highpass_hz = 200.0;
            s.duck_depth_db = 3.0;
            s.reverb_send = 0.35;
            s.width = 0.2;
            break;
    }
    s.gain_db += kHouseTrimDb;
    // reverb_amount 0.5 is the house default; 0 dries everything, 1 doubles the sends.
    s.reverb_send = std::clamp(s.reverb_send * 2.0 * std::clamp(sound.reverb_amount, 0.0, 1.0), 0.0, 1.0);
    return s;
}

struct Mixer::Impl final {
    std::vector<Instrument> channels;
    double sample_rate_hz = 44100.0;
    std::vector<Strip> strips;
    std::vector<size_t> sidechain_sources;  // channel indices of kick and log drum
    Reverb reverb;

    float duck_attack = 0.0f, duck_release = 0.0f, duck_env = 0.0f;

    float bus_attack = 0.0f, bus_release = 0.0f, bus_env = 0.0f;  // mean-square envelope
    float bus_gain = 1.0f;
    size_t bus_phase = 0;   // frames since the last control update
    float bus_step = 0.0f;  // per-frame gain increment until the next update

    BusSettings bus_settings;
    std::vector<std::span<const float>> in_slices, stem_slices;  // Process()'s per-slice views
    std::vector<float> duck, send, wet;

    Impl(std::vector<Instrument> ch, const std::vector<ChannelSettings>& settings, double rate,
         const BusSettings& bus)
        : channels(std::move(ch)), sample_rate_hz(rate), reverb(rate, ReverbReturn()), bus_settings(bus) {
        duck.assign(kSliceFrames, 0.0f);
        send.assign(kSliceFrames, 0.0f);
        wet.assign(2 * kSliceFrames, 0.0f);
        duck_attack = OnePoleCoefficient(kDuckAttackS, rate);
        duck_release = OnePoleCoefficient(kDuckReleaseS, rate);
        bus_attack = OnePoleCoefficient(kBusAttackS, rate);
        bus_release = OnePoleCoefficient(kBusReleaseS, rate);
        in_slices.resize(channels.size());
        stem_slices.resize(channels.size());
        for (size_t i = 0; i < channels.size(); ++i) {
            const Instrument instrument = channels[i];
            if (instrument == Instrument::kKick || instrument == Instrument::kLogDrum)
                sidechain_sources.push_back(i);
            strips.push_back(MakeStrip(instrument, i < settings.size() ? settings[i] : ChannelSettings{}));
        }
    }

    static ReverbSettings ReverbReturn() {
        ReverbSettings settings;
        settings.wet_gain = kReverbReturnGain;
        return settings;
    }

    Strip MakeStrip(Instrument instrument, const ChannelSettings& s) const {
        Strip strip;
        strip.instrument = instrument;
        strip.gain = DbToGain(s.gain_db);
        // Constant-power pan: -3 dB per side at the centre.
        const PanGains pan = ConstantPowerPan(s.pan);
        strip.pan_left = pan.left;
        strip.pan_right = pan.right;
        if (s.duck_depth_db > 0.0) {
            strip.ducked = true;
            strip.duck_floor = DbToGain(-s.duck_depth_db);
        }
        strip.send = static_cast<float>(std::clamp(s.reverb_send, 0.0, 1.0));
        strip.post.assign(kSliceFrames, 0.0f);
        const double rate = sample_rate_hz;
        if (s.highpass_hz > 0.0) strip.filters.emplace_back(HighPass(rate, s.highpass_hz));
        if (s.lowpass_hz > 0.0) strip.filters.emplace_back(LowPass(rate, s.lowpass_hz));
        if (s.low_shelf_hz > 0.0 && s.low_shelf_gain_db != 0.0) {
            strip.filters.emplace_back(LowShelf(rate, s.low_shelf_hz, s.low_shelf_gain_db));
        }
        if (s.bell_hz > 0.0 && s.bell_gain_db != 0.0) {
            strip.filters.emplace_back(Peaking(rate, s.bell_hz, s.bell_gain_db, s.bell_q));
        }
        if (s.width > 0.0) {
            strip.side_gain = static_cast<float>(std::clamp(s.width, 0.0, 1.0)) * kWidthSideGain;
            strip.delay.assign(std::max<size_t>(1, static_cast<size_t>(std::lround(kWidthDelayS * rate))),
                               0.0f);
        }
        return strip;
    }

    void ComputeDuck(std::span<const std::span<const float>> inputs, size_t frames) {
        if (sidechain_sources.empty()) {
            std::fill_n(duck.begin(), frames, 0.0f);
            return;
        }
        float env = duck_env;
        for (size_t i = 0; i < frames; ++i) {
            float level = 0.0f;
            for (size_t source : sidechain_sources) level = std::max(level, std::fabs(inputs[source][i]));
            const float coeff = level > env ? duck_attack : duck_release;
            env = level + coeff * (env - level);
            duck[i] = std::min(1.0f, env * (1.0f / kDuckFullLevel));
        }
        duck_env = env;
    }

    // Gain, EQ, ducking, pan/width: writes the channel's stem and keeps its mono signal for the send.
    // Touches only this strip's state and the shared, read-only duck envelope.
    void ProcessStrip(Strip& strip, std::span<const float> input, std::span<float> stem,
                      size_t frames) const {
        float* w = strip.post.data();
        const float gain = strip.gain;
        for (size_t i = 0; i < frames; ++i) w[i] = input[i] * gain;
        Biquad::ProcessChain(strip.filters, {w, frames});
        const float depth = strip.ducked ? 1.0f - strip.duck_floor : 0.0f;
        const float* d = duck.data();
        if (depth > 0.0f) {
            for (size_t i = 0; i < frames; ++i) w[i] *= 1.0f - depth * d[i];
        }
        const float pl = strip.pan_left, pr = strip.pan_right;
        float* st = stem.data();
        if (strip.side_gain > 0.0f) {
            const size_t size = strip.delay.size();
            float* delay = strip.delay.data();
            size_t index = strip.delay_index;
            for (size_t i = 0; i < frames; ++i) {
                const float x = w[i];
                const float side = delay[index] * strip.side_gain;
                delay[index] = x;
                if (++index == size) index = 0;
                st[2 * i] = x * pl + side;
                st[2 * i + 1] = x * pr - side;
            }
            strip.delay_index = index;
        } else {
            for (size_t i = 0; i < frames; ++i) {
                st[2 * i] = w[i] * pl;
                st[2 * i + 1] = w[i] * pr;
            }
        }
    }

    // Bus = sum of the stems in channel order (so the result does not depend on which thread
    // processed which channel), plus the reverb return of the summed sends, then bus compression.
    void SumBus(std::span<const std::span<const float>> stems, std::span<float> bus, size_t frames) {
        std::fill_n(bus.begin(), 2 * frames, 0.0f);
        std::fill_n(send.begin(), frames, 0.0f);
        float* b = bus.data();
        float* snd = send.data();
        for (size_t c = 0; c < strips.size(); ++c) {
            const float* st = stems[c].data();
            for (size_t i = 0; i < 2 * frames; ++i) b[i] += st[i];
            const float send_gain = strips[c].send;
            if (send_gain <= 0.0f) continue;
            const float* w = strips[c].post.data();
            for (size_t i = 0; i < frames; ++i) snd[i] += w[i] * send_gain;
        }
        if (bus_settings.reverb) {
            std::span<float> wet_slice(wet.data(), 2 * frames);
            reverb.Process({send.data(), frames}, wet_slice);
            for (size_t i = 0; i < 2 * frames; ++i) b[i] += wet_slice[i];
        }
        if (bus_settings.compression) CompressBus(bus, frames);
    }

    void CompressBus(std::span<float> bus, size_t frames) {
        const float threshold_db = static_cast<float>(kBusThresholdDb);
        const float slope = static_cast<float>(1.0 - 1.0 / kBusRatio);
        const float half_knee = static_cast<float>(kBusKneeDb / 2.0);
        float env = bus_env, gain = bus_gain, step = bus_step;
        size_t phase = bus_phase;
        for (size_t i = 0; i < frames; ++i) {
            const float l = bus[2 * i], r = bus[2 * i + 1];
            const float power = 0.5f * (l * l + r * r);
            const float coeff = power > env ? bus_attack : bus_release;
            env = power + coeff * (env - power);
            if (phase == 0) {
                // Soft-knee static curve on the mean-square level, evaluated at control rate.
                const float level_db = 10.0f * std::log10(env + 1e-12f);
                const float over = level_db - threshold_db;
                float reduction_db = 0.0f;
                if (over >= half_knee) {
                    reduction_db = slope * over;
                } else if (over > -half_knee) {
                    const float x = over + half_knee;
                    reduction_db = slope * x * x / (4.0f * half_knee);
                }
                const float target = std::pow(10.0f, -reduction_db / 20.0f);
                step = (target - gain) / static_cast<float>(kBusControlFrames);
            }
            gain += step;
            bus[2 * i] = l * gain;
            bus[2 * i + 1] = r * gain;
            if (++phase == kBusControlFrames) phase = 0;
        }
        bus_env = env < 1e-20f ? 0.0f : env;
        bus_gain = gain;
        bus_step = step;
        bus_phase = phase;
    }
};

namespace {
std::vector<ChannelSettings> HouseSettings(const std::vector<compose::Instrument>& channels,
                                           const compose::SoundDesign& sound) {
    std::vector<ChannelSettings> settings;
    for (Instrument instrument : channels) settings.push_back(DefaultChannelSettings(instrument, sound));
    return settings;
}
}  // namespace

Mixer::Mixer(std::vector<compose::Instrument> channels, double sample_rate_hz,
             const compose::SoundDesign& sound)
    : Mixer(channels, HouseSettings(channels, sound), sample_rate_hz) {}

Mixer::Mixer(std::vector<compose::Instrument> channels, std::vector<ChannelSettings> settings,
             double sample_rate_hz, const BusSettings& bus)
    : impl_(std::make_unique<Impl>(std::move(channels), settings, sample_rate_hz, bus)) {
    assert(settings.size() == impl_->channels.size());
}

Mixer::~Mixer() = default;

const std::vector<compose::Instrument>& Mixer::channels() const { return impl_->channels; }

void Mixer::Process(std::span<const std::span<const float>> inputs, std::span<const std::span<float>> stems,
                    std::span<float> bus) {
    Impl& impl = *impl_;
    const size_t channel_count = impl.strips.size();
    assert(inputs.size() == channel_count && stems.size() == channel_count);
    if (inputs.size() < channel_count || stems.size() < channel_count) return;  // misuse; never throw here
    const size_t frames = bus.size() / 2;
    std::vector<std::span<const float>>& in_slices = impl.in_slices;
    std::vector<std::span<const float>>& stem_slices = impl.stem_slices;
    for (size_t offset = 0; offset < frames; offset += kSliceFrames) {
        const size_t n = std::min(kSliceFrames, frames - offset);
        for (size_t c = 0; c < channel_count; ++c) {
            assert(inputs[c].size() >= frames && stems[c].size() >= 2 * frames);
            in_slices[c] = inputs[c].subspan(offset, n);
            stem_slices[c] = stems[c].subspan(2 * offset, 2 * n);
        }
        BeginBlock(in_slices);
        for (size_t c = 0; c < channel_count; ++c)
            ProcessChannel(c, in_slices[c], stems[c].subspan(2 * offset, 2 * n));
        FinishBlock(stem_slices, bus.subspan(2 * offset, 2 * n));
    }
}

void Mixer::BeginBlock(std::span<const std::span<const float>> inputs) {
    assert(!inputs.empty() && inputs[0].size() <= kMaxBlockFrames);
    FlushDenormals flush;
    impl_->ComputeDuck(inputs, inputs.empty() ? 0 : inputs[0].size());
}

void Mixer::ProcessChannel(size_t channel, std::span<const float> input, std::span<float> stem) {
    assert(channel < impl_->strips.size() && input.size() <= kMaxBlockFrames &&
           stem.size() >= 2 * input.size());
    FlushDenormals flush;
    impl_->ProcessStrip(impl_->strips[channel], input, stem, input.size());
}

void Mixer::FinishBlock(std::span<const std::span<const float>> stems, std::span<float> bus) {
    assert(stems.size() == impl_->strips.size() && bus.size() <= 2 * kMaxBlockFrames);
    FlushDenormals flush;
    impl_->SumBus(stems, bus, bus.size() / 2);
#ifndef NDEBUG
    for (float v : bus) assert(std::isfinite(v));
#endif
}

}  // namespace amapiano::mix
