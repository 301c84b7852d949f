#include "compose/chord_parts.h"

#include <algorithm>

#include "theory/scale.h"
#include "theory/voicing.h"

namespace amapiano::compose {
namespace {

constexpr int kPadLow = 48;
constexpr int kPadHigh = 69;
constexpr int kBassLow = 28;

const StepPattern& Pick(const std::vector<StepPattern>& patterns, Rng& rng) {
    std::vector<double> weights;
    for (const StepPattern& p : patterns) weights.push_back(p.weight);
    return patterns[rng.Weighted(weights)];
}

// The chord a note at `step` belongs to: on the last two 16ths before a change, the next one.
const PlannedChord& ChordFor(const HarmonyPlan& harmony, int64_t step) {
    const double beat = static_cast<double>(step) / kStepsPerBeat;
    const PlannedChord& now = harmony.At(beat);
    const PlannedChord& soon = harmony.At(beat + 0.5);
    return soon.start_beats > now.start_beats ? soon : now;
}

void WriteRiff(const StyleProfile& style, const ResolvedSpec& spec, const HarmonyPlan& harmony,
               int64_t bar_step, double energy, Rng& rng, std::vector<NoteEvent>& out) {
    const auto penta = theory::PentatonicPitchClasses(spec.key);
    std::vector<int> notes;  // pentatonic notes in the riff register
    for (int n = style.keys_high_note - 8; n <= style.keys_high_note + 7; ++n) {
        if (std::find(penta.begin(), penta.end(), theory::PitchClass(n)) != penta.end()) notes.push_back(n);
    }
    if (notes.empty()) return;
    static constexpr int kRiffSteps[][4] = {
        {9, 10, 12, 14}, {8, 11, 13, 14}, {10, 11, 13, 15}, {9, 11, 12, 14}};
    const auto& rhythm = kRiffSteps[rng.Int(0, 3)];
    int index = rng.Int(0, static_cast<int>(notes.size()) - 1);
    for (int i = 0; i < 4; ++i) {
        if (i == 3) {
            // End on a chord tone of the chord that follows.
            const PlannedChord& chord = ChordFor(harmony, bar_step + rhythm[i]);
            const auto pcs = theory::PadPitchClasses(chord.chord);
            out.push_back(GridEvent(
                bar_step + rhythm[i], 2.0,
                theory::NearestNote(pcs[static_cast<size_t>(rng.Int(0, static_cast<int>(pcs.size()) - 1))],
                                    notes[static_cast<size_t>(index)]),
                0.55 + 0.2 * energy));
            break;
        }
        out.push_back(
            GridEvent(bar_step + rhythm[i], 1.0, notes[static_cast<size_t>(index)], 0.5 + 0.2 * energy));
        index = std::clamp(index + (rng.Chance(0.6) ? -1 : 1) * rng.Int(1, 2), 0,
                           static_cast<int>(notes.size()) - 1);
    }
}

}  // namespace

void WriteKeys(const StyleProfile& style, const ResolvedSpec& spec, const Arrangement& arrangement,
               const HarmonyPlan& harmony, Rng& rng, PartEvents& out) {
    auto& events = out[Instrument::kKeys];
    std::vector<int> voicing;
    const StepPattern* call = nullptr;
    const StepPattern* answer = nullptr;
    const bool is_loop = spec.loop != LoopPart::kNone;
    for (size_t b = 0; b < arrangement.bars.size(); ++b) {
        const BarPlan& bar = arrangement.bars[b];
        if (b % 2 == 0) {
            call = &Pick(style.keys_rhythms, rng);
            answer = rng.Chance(0.5) ? call : &Pick(style.keys_rhythms, rng);
        }
        if (!bar.Plays(Instrument::kKeys)) continue;
        const std::string& steps = (b % 2 == 0 ? call : answer)->steps;
        const int64_t bar_step = static_cast<int64_t>(b) * kStepsPerBar;
        const bool riff = b % 4 == 3 && !(is_loop && b + 1 == arrangement.bars.size()) &&
                          rng.Chance(style.keys_riff_probability);
        const double level = (bar.kind == SectionKind::kIntro ? 0.8 : 1.0) * (0.75 + 0.3 * bar.energy);
        for (int s = 0; s < kStepsPerBar; ++s) {
            const char c = steps[static_cast<size_t>(s)];
            if (c != 'x' && c != 'X') continue;
            if (riff && s >= kStepsPerBar / 2) break;
            int hold = 1;
            while (s + hold < kStepsPerBar && steps[static_cast<size_t>(s + hold)] == '=') ++hold;
            const PlannedChord& chord = ChordFor(harmony, bar_step + s);
            voicing = theory::VoiceLead(theory::KeysPitchClasses(chord.chord), voicing, style.keys_low_note,
                                        style.keys_high_note);
            const double velocity = (c == 'X' ? 0.7 : 0.58) * level;
            // Stabs are detached: 80 % of the written length.
            for (int note : voicing) events.push_back(GridEvent(bar_step + s, 0.8 * hold, note, velocity));
        }
        if (riff) WriteRiff(style, spec, harmony, bar_step, bar.energy, rng, events);
    }
}

void WritePad(const ResolvedSpec& spec, const Arrangement& arrangement, const HarmonyPlan& harmony,
              PartEvents& out) {
    (void)spec;
    auto& events = out[Instrument::kPad];
    std::vector<int> voicing;
    for (const PlannedChord& chord : harmony.chords) {
        voicing = theory::VoiceLead(theory::PadPitchClasses(chord.chord), voicing, kPadLow, kPadHigh);
        // Hold across the consecutive bars of this chord in which the pad plays.
        const int64_t first = static_cast<int64_t>(chord.start_beats * kStepsPerBeat);
        const int64_t last = static_cast<int64_t>(chord.EndBeats() * kStepsPerBeat);
        int64_t run_start = -1;
        for (int64_t s = first; s <= last; s += 1) {
            const size_t bar = static_cast<size_t>(s / kStepsPerBar);
            const bool plays =
                s < last && bar < arrangement.bars.size() && arrangement.bars[bar].Plays(Instrument::kPad);
            if (plays && run_start < 0) run_start = s;
            if (!plays && run_start >= 0) {
                const double energy = arrangement.bars[static_cast<size_t>(run_start / kStepsPerBar)].energy;
                for (int note : voicing) {
                    events.push_back(
                        GridEvent(run_start, static_cast<double>(s - run_start), note, 0.32 + 0.12 * energy));
                }
                run_start = -1;
            }
        }
    }
    std::sort(events.begin(), events.end(), [](const NoteEvent& a, const NoteEvent& b) {
        return a.step != b.step ? a.step < b.step : a.pitch < b.pitch;
    });
}

void WriteBass(const ResolvedSpec& spec, const Arrangement& arrangement, const HarmonyPlan& harmony, Rng& rng,
               PartEvents& out) {
    auto& events = out[Instrument::kBass];
    const bool is_loop = spec.loop != LoopPart::kNone;
    for (size_t b = 0; b < arrangement.bars.size(); ++b) {
        const BarPlan& bar = arrangement.bars[b];
        if (!bar.Plays(Instrument::kBass)) continue;
        const int64_t bar_step = static_cast<int64_t>(b) * kStepsPerBar;
        const int keep_to = bar.fill == FillKind::kDroppedBar ? kStepsPerBar / 2 : kStepsPerBar;
        // Hits: the bar start, any chord change inside the bar, and sometimes the "and" of 3
        // (a push that answers the kick).
        std::vector<int> hits = {0};
        for (int s = 1; s < kStepsPerBar; ++s) {
            const double beat = static_cast<double>(bar_step + s) / kStepsPerBeat;
            if (harmony.At(beat).start_beats == beat) hits.push_back(s);
        }
        if (!is_loop && rng.Chance(0.3) && std::find(hits.begin(), hits.end(), 10) == hits.end())
            hits.push_back(10);
        std::sort(hits.begin(), hits.end());
        for (size_t i = 0; i < hits.size(); ++i) {
            if (hits[i] >= keep_to) break;
            const int end = i + 1 < hits.size() ? hits[i + 1] : keep_to;
            const PlannedChord& chord = harmony.At(static_cast<double>(bar_step + hits[i]) / kStepsPerBeat);
            const int note = kBassLow + theory::PitchClass(chord.chord.root_pc - kBassLow);
            events.push_back(GridEvent(bar_step + hits[i], std::max(1.0, (end - hits[i]) * 0.9), note,
                                       0.7 * (0.85 + 0.2 * bar.energy)));
        }
    }
}

}  // namespace amapiano::compose
