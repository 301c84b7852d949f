// Helpers shared by the synth tests: building small scores, rendering a track, and simple
// measurements (zero-crossing pitch, Goertzel power, band energy, RMS).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "compose/score.h"
#include "synth/track_renderer.h"

namespace amapiano::synth::testing {

inline constexpr double kSampleRate = 44100.0;
inline constexpr double kBpm = 120.0;  // one beat = 0.5 s, easy arithmetic

inline double NoteHz(int midi) { return 440.0 * std::pow(2.0, (midi - 69) / 12.0); }
inline double SecondsToBeats(double s) { return s * kBpm / 60.0; }

inline compose::Score MakeScore() {
    compose::Score score;
    score.bpm = kBpm;
    score.bars = 4;
    return score;
}

inline compose::NoteEvent Note(double start_s, double duration_s, int pitch, float velocity = 0.8f) {
    compose::NoteEvent e;
    e.start_beats = SecondsToBeats(start_s);
    e.duration_beats = SecondsToBeats(duration_s);
    e.step = static_cast<int64_t>(e.start_beats * compose::kStepsPerBeat);
    e.pitch = pitch;
    e.velocity = velocity;
    return e;
}

inline compose::Track MakeTrack(compose::Instrument instrument, std::vector<compose::NoteEvent> events) {
    compose::Track track;
    track.instrument = instrument;
    std::stable_sort(events.begin(), events.end(),
                     [](const auto& a, const auto& b) { return a.start_beats < b.start_beats; });
    track.events = std::move(events);
    return track;
}

// Renders `seconds` of a track in blocks of `block` frames.
inline std::vector<float> Render(const compose::Track& track, const compose::Score& score, double seconds,
                                 size_t block = 512) {
    auto renderer = CreateTrackRenderer(track, score, kSampleRate);
    std::vector<float> out(static_cast<size_t>(seconds * kSampleRate));
    for (size_t pos = 0; pos < out.size(); pos += block) {
        renderer->Render(std::span<float>(out).subspan(pos, std::min(block, out.size() - pos)));
    }
    return out;
}

inline std::span<const float> Window(const std::vector<float>& x, double from_s, double to_s) {
    const auto a = static_cast<size_t>(from_s * kSampleRate);
    const auto b = std::min(x.size(), static_cast<size_t>(to_s * kSampleRate));
    return std::span<const float>(x).subspan(a, b - a);
}

// Times (in frames, interpolated) of positive-going zero crossings.
inline std::vector<double> UpwardCrossings(std::span<const float> x) {
    std::vector<double> t;
    for (size_t i = 1; i < x.size(); ++i) {
        if (x[i - 1] < 0.0f && x[i] >= 0.0f) {
            t.push_back(static_cast<double>(i - 1) + x[i - 1] / (x[i - 1] - x[i]));
        }
    }
    return t;
}

// Average frequency from zero crossings; 0 when fewer than two crossings.
inline double ZeroCrossingHz(std::span<const float> x) {
    const auto t = UpwardCrossings(x);
    if (t.size() < 2) return 0.0;
    return static_cast<double>(t.size() - 1) * kSampleRate / (t.back() - t.front());
}

// Power of one frequency (Hann-windowed Goertzel), normalised by the window length.
inline double GoertzelPower(std::span<const float> x, double freq_hz) {
    const double w = 2.0 * M_PI * freq_hz / kSampleRate;
    const double coeff = 2.0 * std::cos(w);
    double s1 = 0.0, s2 = 0.0;
    const double n = static_cast<double>(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        const double hann = 0.5 - 0.5 * std::cos(2.0 * M_PI * static_cast<double>(i) / n);
        const double s = x[i] * hann + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (n * n);
}

// The frequency with the most power on a fine grid between lo_hz and hi_hz.
inline double PeakHz(std::span<const float> x, double lo_hz, double hi_hz, double step_hz = 0.5) {
    double best_hz = lo_hz, best = -1.0;
    for (double f = lo_hz; f <= hi_hz; f += step_hz) {
        const double p = GoertzelPower(x, f);
        if (p > best) {
            best = p;
            best_hz = f;
        }
    }
    return best_hz;
}

// Fraction of the signal's energy above `split_hz` (power summed on a 25 Hz grid).
inline double EnergyFractionAbove(std::span<const float> x, double split_hz) {
    double above = 0.0, total = 0.0;
    for (double f = 12.5; f < kSampleRate / 2; f += 25.0) {
        const double p = GoertzelPower(x, f);
        total += p;
        if (f >= split_hz) above += p;
    }
    return total > 0.0 ? above / total : 0.0;
}

inline double Rms(std::span<const float> x) {
    double sum = 0.0;
    for (float v : x) sum += static_cast<double>(v) * v;
    return x.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(x.size()));
}

inline float Peak(std::span<const float> x) {
    float peak = 0.0f;
    for (float v : x) peak = std::max(peak, std::abs(v));
    return peak;
}

inline bool AllFinite(std::span<const float> x) {
    return std::all_of(x.begin(), x.end(), [](float v) { return std::isfinite(v); });
}

}  // namespace amapiano::synth::testing
