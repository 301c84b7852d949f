#include "compose/arrangement.h"

#include <algorithm>

namespace amapiano::compose {
namespace {

constexpr SectionKind kOrder[] = {SectionKind::kIntro,     SectionKind::kLogDrumEntry, SectionKind::kGroove,
                                  SectionKind::kBreakdown, SectionKind::kReEntry,      SectionKind::kOutro};

// Which section receives the n-th unit. The first six give every section one unit in order of
// importance for a DJ-friendly track; the rest lengthen grooves, intro, re-entry and outro.
constexpr SectionKind kUnitPriority[] = {
    SectionKind::kIntro,   SectionKind::kLogDrumEntry, SectionKind::kOutro,        SectionKind::kBreakdown,
    SectionKind::kGroove,  SectionKind::kReEntry,      SectionKind::kGroove,       SectionKind::kIntro,
    SectionKind::kReEntry, SectionKind::kOutro,        SectionKind::kLogDrumEntry, SectionKind::kBreakdown};

float SectionEnergy(SectionKind kind) {
    switch (kind) {
        case SectionKind::kIntro: return 0.55f;
        case SectionKind::kLogDrumEntry: return 0.85f;
        case SectionKind::kGroove: return 0.9f;
        case SectionKind::kBreakdown: return 0.5f;
        case SectionKind::kReEntry: return 1.0f;
        case SectionKind::kOutro: return 0.65f;
        case SectionKind::kLoop: return 0.9f;
    }
    return 0.8f;
}

constexpr Instrument kDrumKit[] = {Instrument::kKick, Instrument::kShaker, Instrument::kClap,
                                   Instrument::kHats, Instrument::kRim,    Instrument::kPerc};

// What plays in bar `i` of a section of `n` bars (before the band filter).
void Activate(SectionKind kind, int i, int n, const StyleProfile& style, BarPlan& bar) {
    using I = Instrument;
    const double position = n > 0 ? static_cast<double>(i) / n : 0.0;
    auto on = [&bar](std::initializer_list<I> list) {
        for (I instrument : list) bar.Set(instrument, true);
    };
    switch (kind) {
        case SectionKind::kIntro:
            on({I::kShaker, I::kRim, I::kKeys});
            if (position >= 0.25) on({I::kHats, I::kPerc, I::kPad});
            if (position >= style.intro_kick_entry) on({I::kKick});
            if (position >= 0.75) on({I::kClap});
            break;
        case SectionKind::kLogDrumEntry:
            for (I d : kDrumKit) bar.Set(d, true);
            on({I::kLogDrum, I::kKeys, I::kBass});
            if (position >= 0.5) on({I::kPad});
            break;
        case SectionKind::kGroove:
            for (I d : kDrumKit) bar.Set(d, true);
            on({I::kLogDrum, I::kKeys, I::kBass});
            if (position >= 0.5) on({I::kPad, I::kLead});
            break;
        case SectionKind::kBreakdown:
            on({I::kKeys, I::kPad, I::kLead});
            if (style.breakdown_keeps_shaker && position < 0.5) on({I::kShaker});
            if (position >= 0.5) on({I::kRim});
            break;
        case SectionKind::kReEntry:
            for (I d : kDrumKit) bar.Set(d, true);
            on({I::kLogDrum, I::kKeys, I::kBass, I::kPad, I::kLead});
            break;
        case SectionKind::kOutro:
            on({I::kKick, I::kShaker, I::kHats});
            if (position < 0.75) on({I::kClap, I::kRim});
            if (position < 0.5) on({I::kLogDrum, I::kBass, I::kPerc});
            if (position < 0.25) on({I::kKeys});
            break;
        case SectionKind::kLoop: break;  // set by the caller from the loop part
    }
}

std::vector<Instrument> LoopInstruments(LoopPart part) {
    using I = Instrument;
    switch (part) {
        case LoopPart::kLogDrum: return {I::kLogDrum};
        case LoopPart::kPiano: return {I::kKeys, I::kPad};
        case LoopPart::kDrums: return {I::kKick, I::kShaker, I::kClap, I::kHats, I::kRim, I::kPerc};
        case LoopPart::kBass: return {I::kBass, I::kLogDrum};
        case LoopPart::kFull:
        case LoopPart::kNone: break;
    }
    return {std::begin(kAllInstruments), std::end(kAllInstruments)};
}

FillKind PickFill(const StyleProfile& style, Rng& rng) {
    if (style.fills.empty()) return FillKind::kPercRoll;
    const std::string& name =
        style.fills[static_cast<size_t>(rng.Int(0, static_cast<int>(style.fills.size()) - 1))];
    if (name == "snare-roll") return FillKind::kSnareRoll;
    if (name == "dropped-bar") return FillKind::kDroppedBar;
    if (name == "open-hat") return FillKind::kOpenHat;
    return FillKind::kPercRoll;
}

}  // namespace

std::string SectionName(SectionKind kind) {
    switch (kind) {
        case SectionKind::kIntro: return "intro";
        case SectionKind::kLogDrumEntry: return "log-drum-entry";
        case SectionKind::kGroove: return "groove";
        case SectionKind::kBreakdown: return "breakdown";
        case SectionKind::kReEntry: return "re-entry";
        case SectionKind::kOutro: return "outro";
        case SectionKind::kLoop: return "loop";
    }
    return "groove";
}

Arrangement PlanArrangement(const StyleProfile& style, const ResolvedSpec& spec, Rng& rng) {
    Arrangement plan;
    const int total = spec.bars;
    const float track_energy = static_cast<float>(0.6 + 0.4 * spec.energy);

    if (spec.loop != LoopPart::kNone) {
        plan.sections.push_back(Section{"loop", 0, total, SectionEnergy(SectionKind::kLoop) * track_energy});
        plan.kinds.push_back(SectionKind::kLoop);
        for (int b = 0; b < total; ++b) {
            BarPlan bar;
            bar.kind = SectionKind::kLoop;
            bar.bar_in_section = b;
            bar.energy = plan.sections[0].energy;
            for (Instrument instrument : LoopInstruments(spec.loop)) {
                // A part asked for by name plays even if the style's band leaves it out; the
                // full loop is the band in groove state.
                const bool wanted = spec.loop == LoopPart::kFull ? spec.band.count(instrument) > 0 : true;
                bar.Set(instrument, wanted);
            }
            plan.bars.push_back(bar);
        }
        return plan;
    }

    // Allocate units to sections.
    const int unit = total >= 48 ? 8 : (total >= 16 ? 4 : 2);
    const int units = total / unit;
    const int remainder = total % unit;
    std::array<int, 6> size_units{};
    auto index_of = [](SectionKind kind) {
        return static_cast<size_t>(std::find(std::begin(kOrder), std::end(kOrder), kind) -
                                   std::begin(kOrder));
    };
    for (int u = 0; u < units; ++u) {
        size_units[index_of(kUnitPriority[static_cast<size_t>(u) % std::size(kUnitPriority)])] += 1;
    }
    int start = 0;
    for (size_t s = 0; s < std::size(kOrder); ++s) {
        int bars = size_units[s] * unit;
        const bool takes_remainder =
            (kOrder[s] == SectionKind::kGroove && size_units[s] > 0) ||
            (kOrder[s] == SectionKind::kLogDrumEntry && size_units[index_of(SectionKind::kGroove)] == 0);
        if (takes_remainder) bars += remainder;
        if (bars == 0) continue;
        plan.sections.push_back(
            Section{SectionName(kOrder[s]), start, bars, SectionEnergy(kOrder[s]) * track_energy});
        plan.kinds.push_back(kOrder[s]);
        start += bars;
    }

    for (size_t s = 0; s < plan.sections.size(); ++s) {
        const Section& section = plan.sections[s];
        // Thin the kick in some groove blocks (the log drum leads there).
        for (int i = 0; i < section.bars; ++i) {
            BarPlan bar;
            bar.section = static_cast<int>(s);
            bar.kind = plan.kinds[s];
            bar.bar_in_section = i;
            bar.energy = section.energy;
            Activate(bar.kind, i, section.bars, style, bar);
            for (Instrument instrument : kAllInstruments) {
                if (spec.band.count(instrument) == 0) bar.Set(instrument, false);
            }
            plan.bars.push_back(bar);
        }
    }

    // Kick thinning: per 8-bar groove block, the first half may use the sparse kick; the
    // intro's kick starts sparse; the log drum's first bar has the floor to itself.
    for (size_t b = 0; b < plan.bars.size(); b += 8) {
        BarPlan& first = plan.bars[b];
        if (first.kind == SectionKind::kGroove && rng.Chance(style.sparse_kick_probability)) {
            for (size_t k = b; k < std::min(b + 4, plan.bars.size()); ++k) plan.bars[k].sparse_kick = true;
        }
    }
    for (BarPlan& bar : plan.bars) {
        const Section& section = plan.sections[static_cast<size_t>(bar.section)];
        if (bar.kind == SectionKind::kIntro && bar.bar_in_section < section.bars * 3 / 4)
            bar.sparse_kick = true;
        if (bar.kind == SectionKind::kLogDrumEntry && bar.bar_in_section == 0) bar.sparse_kick = true;
        if (bar.kind == SectionKind::kOutro && bar.bar_in_section >= section.bars * 3 / 4)
            bar.sparse_kick = true;
    }

    // Fills at block boundaries (never in the last bar: the outro ends clean).
    const int block = std::min(8, unit * 2);
    for (int b = 0; b + 1 < total; ++b) {
        const bool section_end =
            plan.bars[static_cast<size_t>(b)].section != plan.bars[static_cast<size_t>(b) + 1].section;
        const bool block_end = (b + 1) % block == 0;
        if (!section_end && !block_end) continue;
        const bool sure = section_end || (b + 1) % (2 * block) == 0;
        if (!sure && !rng.Chance(style.fill_probability)) continue;
        BarPlan& bar = plan.bars[static_cast<size_t>(b)];
        FillKind fill = PickFill(style, rng);
        if (fill == FillKind::kDroppedBar &&
            (!bar.Plays(Instrument::kKick) || bar.kind == SectionKind::kOutro)) {
            fill = FillKind::kPercRoll;
        }
        if (fill == FillKind::kOpenHat && !bar.Plays(Instrument::kHats)) fill = FillKind::kPercRoll;
        bar.fill = fill;
    }
    return plan;
}

}  // namespace amapiano::compose
