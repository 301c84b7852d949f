// Arrangement: how a piece of N bars is laid out in sections, and what plays in every bar.
//
//   Arrangement plan = PlanArrangement(style, resolved, rng);
//   plan.bars[17].Plays(Instrument::kLogDrum);
//
// Full tracks are built in 8-bar units (4 or 2 for short requests): intro (percussion and keys,
// the kick arriving part-way), the log drum's entry, grooves, a breakdown where the drums pull out
// and keys/pads carry it, the re-entry, and an outro that thins out for the DJ. Fills mark 8- and
// 16-bar boundaries. Loops are one "loop" section in groove state holding only the requested part.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "compose/compose_context.h"
#include "compose/style_profile.h"
#include "core/random.h"

namespace amapiano::compose {

enum class FillKind {
    kNone,
    kPercRoll,    // congas/toms rolling through the last two beats, rising
    kSnareRoll,   // snare 16ths on the last beat
    kDroppedBar,  // kick, log drum and bass drop out for the last two beats
    kOpenHat,     // open hats on the last off-beats
};

enum class SectionKind { kIntro, kLogDrumEntry, kGroove, kBreakdown, kReEntry, kOutro, kLoop };

struct BarPlan final {
    int section = 0;  // index into Arrangement::sections
    SectionKind kind = SectionKind::kGroove;
    int bar_in_section = 0;
    std::array<bool, kAllInstruments.size()> active{};
    float energy = 0.5f;  // 0..1, section energy times the track's energy
    FillKind fill = FillKind::kNone;
    bool sparse_kick = false;  // use the style's sparse kick patterns

    bool Plays(Instrument instrument) const { return active[static_cast<size_t>(instrument)]; }
    void Set(Instrument instrument, bool on) { active[static_cast<size_t>(instrument)] = on; }
};

struct Arrangement final {
    std::vector<Section> sections;
    std::vector<SectionKind> kinds;  // parallel to sections
    std::vector<BarPlan> bars;       // one per bar
};

// Names used in Score::sections.
std::string SectionName(SectionKind kind);

Arrangement PlanArrangement(const StyleProfile& style, const ResolvedSpec& spec, Rng& rng);

}  // namespace amapiano::compose
