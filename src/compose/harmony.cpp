#include "compose/harmony.h"

#include <algorithm>

namespace amapiano::compose {
namespace {

double TemplateBars(const ProgressionTemplate& progression) {
    double total = 0.0;
    for (double b : progression.bars) total += b;
    return total;
}

size_t PickProgression(const std::vector<ProgressionTemplate>& pool, const std::vector<bool>& allowed,
                       Rng& rng) {
    std::vector<double> weights;
    for (size_t i = 0; i < pool.size(); ++i) weights.push_back(allowed[i] ? pool[i].weight : 0.0);
    double total = 0.0;
    for (double w : weights) total += w;
    if (total <= 0.0) {
        for (size_t i = 0; i < pool.size(); ++i) weights[i] = pool[i].weight;
    }
    return rng.Weighted(weights);
}

}  // namespace

const PlannedChord& HarmonyPlan::At(double beat) const {
    // Chords are contiguous and sorted: binary search on the start.
    auto it = std::upper_bound(chords.begin(), chords.end(), beat,
                               [](double b, const PlannedChord& c) { return b < c.start_beats; });
    if (it == chords.begin()) return chords.front();
    return *(it - 1);
}

std::vector<ChordSpan> HarmonyPlan::Spans() const {
    std::vector<ChordSpan> spans;
    for (const PlannedChord& c : chords) {
        spans.push_back(
            ChordSpan{c.start_beats, c.duration_beats, c.chord.root_pc, theory::ChordSymbol(c.chord)});
    }
    return spans;
}

HarmonyPlan PlanHarmony(const StyleProfile& style, const ResolvedSpec& spec, const Arrangement& arrangement,
                        Rng& rng) {
    const std::vector<ProgressionTemplate>& pool =
        spec.key.mode == theory::Mode::kMinor ? style.minor_progressions : style.major_progressions;
    // Loops prefer progressions that divide their length, so the harmony loops with the audio.
    std::vector<bool> allowed(pool.size(), true);
    if (spec.loop != LoopPart::kNone) {
        for (size_t i = 0; i < pool.size(); ++i) {
            allowed[i] = spec.bars % static_cast<int>(TemplateBars(pool[i])) == 0;
        }
    }
    const size_t main = PickProgression(pool, allowed, rng);
    std::vector<bool> others = allowed;
    if (pool.size() > 1) others[main] = false;
    const size_t alternative = PickProgression(pool, others, rng);

    HarmonyPlan plan;
    plan.main_progression = pool[main].name;
    plan.breakdown_progression = pool[alternative].name;

    for (size_t s = 0; s < arrangement.sections.size(); ++s) {
        const Section& section = arrangement.sections[s];
        const ProgressionTemplate& progression =
            arrangement.kinds[s] == SectionKind::kBreakdown ? pool[alternative] : pool[main];
        std::vector<theory::Chord> chords;
        for (const std::string& roman : progression.chords) {
            // The profile was validated on load, so the numerals parse.
            chords.push_back(theory::ParseRomanChord(roman, spec.key).value());
        }
        const double section_start = static_cast<double>(section.start_bar) * kBeatsPerBar;
        const double section_end = section_start + static_cast<double>(section.bars) * kBeatsPerBar;
        double beat = section_start;
        size_t index = 0;
        while (beat < section_end - 1e-9) {
            const double length = std::min(progression.bars[index] * kBeatsPerBar, section_end - beat);
            if (!plan.chords.empty() && plan.chords.back().chord == chords[index] &&
                plan.chords.back().EndBeats() == beat) {
                plan.chords.back().duration_beats +=
                    length;  // i9 at the end of one loop, i9 at the start of the next
            } else {
                plan.chords.push_back(PlannedChord{chords[index], beat, length});
            }
            beat += length;
            index = (index + 1) % chords.size();
        }
    }
    return plan;
}

}  // namespace amapiano::compose
