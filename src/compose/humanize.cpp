#include "compose/humanize.h"

#include <algorithm>

namespace amapiano::compose {
namespace {

// Standard deviation of the micro-timing, in milliseconds.
double TimingSpreadMs(Instrument instrument) {
    switch (instrument) {
        case Instrument::kKick: return 0.0;
        case Instrument::kClap: return 2.0;
        case Instrument::kLogDrum: return 2.5;
        case Instrument::kShaker:
        case Instrument::kHats: return 3.5;
        case Instrument::kRim:
        case Instrument::kPerc: return 5.0;
        case Instrument::kBass:
        case Instrument::kPad: return 3.0;
        case Instrument::kKeys: return 6.0;
        case Instrument::kLead: return 9.0;
    }
    return 3.0;
}

double VelocitySpread(Instrument instrument) {
    switch (instrument) {
        case Instrument::kKick: return 0.02;
        case Instrument::kShaker:
        case Instrument::kHats: return 0.06;
        case Instrument::kPad: return 0.0;
        default: return 0.04;
    }
}

}  // namespace

double SwingOffsetBeats(int64_t step, double swing_percent) {
    if (step % 2 == 0) return 0.0;
    return (swing_percent - 50.0) / 200.0;
}

void Humanize(Instrument instrument, double swing_percent, double bpm, double limit_beats, Rng& rng,
              std::vector<NoteEvent>& events) {
    const double ms_to_beats = bpm / 60000.0;
    const double spread = TimingSpreadMs(instrument) * ms_to_beats;
    const double velocity_spread = VelocitySpread(instrument);
    const bool swings = instrument != Instrument::kKick;
    // Chord notes struck together share one offset (a hand, not ten fingers at random), so the
    // offset is drawn once per grid step.
    int64_t last_step = -1;
    double offset = 0.0;
    for (NoteEvent& event : events) {
        const double grid = static_cast<double>(event.step) / kStepsPerBeat;
        if (event.step != last_step) {
            offset = spread * rng.Gaussian();
            last_step = event.step;
        }
        const double swing = swings ? SwingOffsetBeats(event.step, swing_percent) : 0.0;
        event.start_beats = std::clamp(grid + swing + offset, 0.0, std::max(0.0, limit_beats - 1e-3));
        if (velocity_spread > 0.0) {
            event.velocity = std::clamp(static_cast<float>(event.velocity + velocity_spread * rng.Gaussian()),
                                        0.05f, 1.0f);
        }
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const NoteEvent& a, const NoteEvent& b) { return a.start_beats < b.start_beats; });
}

}  // namespace amapiano::compose
