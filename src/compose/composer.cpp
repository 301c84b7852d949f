#include "compose/composer.h"

#include <algorithm>

#include "compose/arrangement.h"
#include "compose/block_variety.h"
#include "compose/chord_parts.h"
#include "compose/drum_patterns.h"
#include "compose/harmony.h"
#include "compose/humanize.h"
#include "compose/lead_line.h"
#include "compose/log_drum_line.h"
#include "compose/spec_resolution.h"
#include "compose/style_profile.h"

namespace amapiano::compose {

Result<Score> Compose(const GenerationSpec& spec) {
    Result<StyleProfile> style = LoadStyleProfile(spec.subgenre);
    if (!style) return style.error();

    // One seeded generator; every decision area gets its own fork so that a change in one part
    // does not reshuffle the others.
    const Rng root(spec.seed);
    Rng resolve_rng = root.Fork("resolve");
    Result<ResolvedSpec> resolved = ResolveSpec(spec, *style, resolve_rng);
    if (!resolved) return resolved.error();
    const ResolvedSpec& r = *resolved;
    const bool is_loop = r.loop != LoopPart::kNone;

    Rng arrangement_rng = root.Fork("arrangement");
    const Arrangement arrangement = PlanArrangement(*style, r, arrangement_rng);
    Rng harmony_rng = root.Fork("harmony");
    const HarmonyPlan harmony = PlanHarmony(*style, r, arrangement, harmony_rng);

    PartEvents parts;
    Rng drums_rng = root.Fork("drums");
    WriteDrums(*style, r, arrangement, drums_rng, parts);
    Rng log_rng = root.Fork("log-drum");
    WriteLogDrum(*style, r, arrangement, harmony, log_rng, parts);
    Rng keys_rng = root.Fork("keys");
    WriteKeys(*style, r, arrangement, harmony, keys_rng, parts);
    WritePad(r, arrangement, harmony, parts);
    Rng bass_rng = root.Fork("bass");
    WriteBass(r, arrangement, harmony, bass_rng, parts);
    Rng lead_rng = root.Fork("lead");
    WriteLead(*style, r, arrangement, harmony, lead_rng, parts);

    if (!is_loop) EnsureBlockVariety(r.bars, r.band, parts);

    Score score;
    score.spec = spec;
    score.subgenre = r.subgenre;
    score.bpm = r.bpm;
    score.key = r.key;
    score.bars = r.bars;
    score.tail_beats = is_loop ? 0.0 : 4.0;
    score.swing_percent = r.swing_percent;
    score.is_loop = is_loop;
    score.loop = r.loop;
    score.sound = ResolveSoundDesign(*style, r);
    score.sections = arrangement.sections;
    score.harmony = harmony.Spans();

    const double limit_beats = static_cast<double>(r.bars) * kBeatsPerBar;
    Rng humanize_rng = root.Fork("humanize");
    for (Instrument instrument : kAllInstruments) {
        auto it = parts.find(instrument);
        if (it == parts.end() || it->second.empty()) continue;
        // Exclusions win over everything, including loop parts asked for by name.
        if (spec.exclude.count(instrument) > 0) continue;
        std::vector<NoteEvent> events = std::move(it->second);
        std::erase_if(events, [limit_beats](const NoteEvent& e) {
            return e.step < 0 || static_cast<double>(e.step) / kStepsPerBeat >= limit_beats;
        });
        std::sort(events.begin(), events.end(), [](const NoteEvent& a, const NoteEvent& b) {
            return a.step != b.step ? a.step < b.step : a.pitch < b.pitch;
        });
        Rng part_rng = humanize_rng.Fork(InstrumentName(instrument));
        Humanize(instrument, r.swing_percent, r.bpm, limit_beats, part_rng, events);
        score.tracks.push_back(Track{instrument, std::move(events)});
    }
    return score;
}

}  // namespace amapiano::compose
