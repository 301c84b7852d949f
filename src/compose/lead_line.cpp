#include "compose/lead_line.h"

#include <algorithm>

#include "theory/scale.h"
#include "theory/voicing.h"

namespace amapiano::compose {
namespace {

constexpr int kLeadLow = 65;
constexpr int kLeadHigh = 84;
// Candidate onsets of an answer, in 16ths within the bar (a pickup from the call bar is allowed
// via step 0's lateness: answers start after the downbeat).
constexpr int kOnsets[] = {2, 3, 4, 6, 7, 8, 10, 11, 12, 14};

}  // namespace

void WriteLead(const StyleProfile& style, const ResolvedSpec& spec, const Arrangement& arrangement,
               const HarmonyPlan& harmony, Rng& rng, PartEvents& out) {
    const auto penta = theory::PentatonicPitchClasses(spec.key);
    std::vector<int> scale;
    for (int n = kLeadLow; n <= kLeadHigh; ++n) {
        if (std::find(penta.begin(), penta.end(), theory::PitchClass(n)) != penta.end()) scale.push_back(n);
    }
    auto& events = out[Instrument::kLead];
    int index = static_cast<int>(scale.size()) / 2;
    for (size_t b = 1; b < arrangement.bars.size(); b += 2) {
        const BarPlan& bar = arrangement.bars[b];
        if (!bar.Plays(Instrument::kLead)) continue;
        if (!rng.Chance(0.55 + 0.4 * style.lead_density)) continue;  // sometimes the answer is silence
        const int count = std::clamp(2 + static_cast<int>(style.lead_density * 4.0) + rng.Int(-1, 1), 2, 6);
        std::vector<int> onsets(std::begin(kOnsets), std::end(kOnsets));
        // Keep `count` onsets, dropped at random, in order.
        while (static_cast<int>(onsets.size()) > count) {
            onsets.erase(onsets.begin() + rng.Int(0, static_cast<int>(onsets.size()) - 1));
        }
        const int64_t bar_step = static_cast<int64_t>(b) * kStepsPerBar;
        for (size_t i = 0; i < onsets.size(); ++i) {
            const int64_t step = bar_step + onsets[i];
            const bool last = i + 1 == onsets.size();
            int note = scale[static_cast<size_t>(index)];
            if (last) {
                const PlannedChord& chord = harmony.At(static_cast<double>(step) / kStepsPerBeat);
                const auto pcs = theory::PadPitchClasses(chord.chord);
                note = std::clamp(
                    theory::NearestNote(
                        pcs[static_cast<size_t>(rng.Int(0, static_cast<int>(pcs.size()) - 1))], note),
                    kLeadLow, kLeadHigh);
            }
            const double length = last ? std::min(6.0, static_cast<double>(kStepsPerBar - onsets[i]))
                                       : static_cast<double>(onsets[i + 1] - onsets[i]);
            events.push_back(GridEvent(step, length, note, (0.58 + 0.12 * bar.energy) * (last ? 0.9 : 1.0)));
            index = std::clamp(index + rng.Int(-2, 2), 0, static_cast<int>(scale.size()) - 1);
        }
    }
}

}  // namespace amapiano::compose
