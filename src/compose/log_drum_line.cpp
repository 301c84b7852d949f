#include "compose/log_drum_line.h"

#include <algorithm>
#include <array>

#include "theory/voicing.h"

namespace amapiano::compose {
namespace {

struct Placement {
    std::string steps;           // 16 characters
    std::vector<int> intervals;  // semitones above the root, one per hit of `steps`
};

const StepPattern& Pick(const std::vector<StepPattern>& patterns, Rng& rng) {
    std::vector<double> weights;
    for (const StepPattern& p : patterns) weights.push_back(p.weight);
    return patterns[rng.Weighted(weights)];
}

Placement NewPlacement(const LogDrumStyle& style, Rng& rng) {
    Placement placement{Pick(style.patterns, rng).steps, {}};
    // Intervals above the chord root: mostly the root, then octave, fifth and minor seventh.
    static constexpr std::array<double, 4> kWeights = {5.0, 2.0, 1.5, 0.7};
    static constexpr std::array<int, 4> kIntervals = {0, 12, 7, 10};
    bool first = true;
    for (char c : placement.steps) {
        if (c == '-') continue;
        int interval = kIntervals[rng.Weighted(kWeights)];
        if (first) interval = 0;  // the first hit of the bar names the chord
        if (c == 'o') interval = 12;
        if (!first && c != 'o' && rng.Chance(style.octave_jump_probability)) interval = 12;
        placement.intervals.push_back(interval);
        first = false;
    }
    return placement;
}

// The lowest note of `pitch_class` at or above `low`.
int RootNote(int pitch_class, int low) { return low + theory::PitchClass(pitch_class - low); }

}  // namespace

void WriteLogDrum(const StyleProfile& style, const ResolvedSpec& spec, const Arrangement& arrangement,
                  const HarmonyPlan& harmony, Rng& rng, PartEvents& out) {
    const LogDrumStyle& ld = style.log_drum;
    const bool is_loop = spec.loop != LoopPart::kNone;
    std::vector<NoteEvent> events;
    std::vector<bool> glide;  // parallel to events: overlap the next note

    Placement placement;
    int bars_left = 0;
    for (size_t b = 0; b < arrangement.bars.size(); ++b) {
        const BarPlan& bar = arrangement.bars[b];
        if (bars_left == 0 || (bar.bar_in_section == 0 && !is_loop)) {
            placement = NewPlacement(ld, rng);
            const int lo = std::max(1, ld.min_change_bars / 4);
            const int hi = std::max(lo, ld.max_change_bars / 4);
            bars_left = rng.Int(lo, hi) * 4;
        }
        --bars_left;
        if (!bar.Plays(Instrument::kLogDrum)) continue;

        std::string steps = placement.steps;
        std::vector<int> intervals = placement.intervals;
        // Phrase ends vary: an extra anticipation or a hit left out (never in loops' only phrase
        // end, which must still sound like the placement when it repeats).
        const bool phrase_end = b % 4 == 3;
        const double vary = phrase_end ? 2.0 : 0.4;
        if (rng.Chance(ld.extra_hit_probability * vary)) {
            std::vector<int> free;
            for (int s = 1; s < kStepsPerBar; s += 2) {
                if (steps[static_cast<size_t>(s)] == '-') free.push_back(s);
            }
            if (!free.empty()) {
                const int s = free[static_cast<size_t>(rng.Int(0, static_cast<int>(free.size()) - 1))];
                steps[static_cast<size_t>(s)] = rng.Chance(0.5) ? 'o' : 'x';
                intervals.clear();  // recomputed below from the letters
            }
        }
        if (rng.Chance(ld.drop_hit_probability * vary)) {
            std::vector<int> hits;
            for (int s = 1; s < kStepsPerBar; ++s) {
                if (steps[static_cast<size_t>(s)] != '-') hits.push_back(s);
            }
            if (hits.size() > 2) {
                steps[static_cast<size_t>(
                    hits[static_cast<size_t>(rng.Int(0, static_cast<int>(hits.size()) - 1))])] = '-';
                intervals.clear();
            }
        }

        const int64_t bar_step = static_cast<int64_t>(b) * kStepsPerBar;
        const int keep_to = bar.fill == FillKind::kDroppedBar ? kStepsPerBar / 2 : kStepsPerBar;
        size_t hit = 0;
        for (int s = 0; s < keep_to; ++s) {
            const char c = steps[static_cast<size_t>(s)];
            if (c == '-') continue;
            int interval = hit < intervals.size() ? intervals[hit] : (c == 'o' ? 12 : (hit == 0 ? 0 : 7));
            ++hit;
            // A hit on the last 16th before a chord change anticipates the next chord.
            const double beat = static_cast<double>(bar_step + s) / kStepsPerBeat;
            const PlannedChord& now = harmony.At(beat);
            const PlannedChord& next = harmony.At(beat + 0.25);
            const theory::Chord& chord = (next.start_beats > now.start_beats) ? next.chord : now.chord;
            if (interval == 10 && !theory::IsMinorQuality(chord.quality) &&
                chord.quality != theory::ChordQuality::kDominant7 &&
                chord.quality != theory::ChordQuality::kDominant9 &&
                chord.quality != theory::ChordQuality::kDominant13 &&
                chord.quality != theory::ChordQuality::kDominant11 &&
                chord.quality != theory::ChordQuality::kSeventhSus4) {
                interval = 7;  // no minor seventh over a major-seventh or triad chord
            }
            int note = RootNote(chord.root_pc, ld.low_note) + interval;
            while (note > ld.high_note) note -= 12;
            const bool accent = s == 0 || c == 'o';
            const double velocity = (0.8 + (accent ? 0.12 : 0.0)) * (0.8 + 0.25 * bar.energy);
            events.push_back(GridEvent(bar_step + s, 1.0, note, velocity));
            glide.push_back(rng.Chance(ld.glide_probability * (c == 'o' ? 1.5 : 1.0)));
        }
    }

    // Lengths: a fraction of the gap to the next hit, or overlapping it for a glide.
    const int64_t total_steps = static_cast<int64_t>(arrangement.bars.size()) * kStepsPerBar;
    for (size_t i = 0; i < events.size(); ++i) {
        int64_t gap;
        if (i + 1 < events.size()) {
            gap = events[i + 1].step - events[i].step;
        } else if (is_loop && !events.empty()) {
            gap = events.front().step + total_steps - events[i].step;
        } else {
            gap = 4;
        }
        const bool connected = gap <= 6;
        double length_steps = std::clamp(static_cast<double>(gap) * ld.note_length, 1.0, 8.0);
        if (glide[i] && connected) length_steps = static_cast<double>(gap) + 1.0;
        events[i].duration_beats = length_steps / kStepsPerBeat;
    }
    auto& track = out[Instrument::kLogDrum];
    track.insert(track.end(), events.begin(), events.end());
}

}  // namespace amapiano::compose
