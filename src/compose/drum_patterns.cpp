#include "compose/drum_patterns.h"

#include <cctype>

namespace amapiano::compose {
namespace {

const StepPattern& Pick(const std::vector<StepPattern>& patterns, Rng& rng) {
    std::vector<double> weights;
    for (const StepPattern& p : patterns) weights.push_back(p.weight);
    return patterns[rng.Weighted(weights)];
}

int DefaultVoice(Instrument instrument, int shaker_note) {
    switch (instrument) {
        case Instrument::kKick: return 36;
        case Instrument::kClap: return 39;
        case Instrument::kShaker: return shaker_note;
        case Instrument::kHats: return 42;
        case Instrument::kRim: return 37;
        default: return 63;
    }
}

// Base velocity of a drum part: shakers and hats sit low, the kick and clap carry the beat.
double BaseVelocity(Instrument instrument) {
    switch (instrument) {
        case Instrument::kKick: return 0.92;
        case Instrument::kClap: return 0.78;
        case Instrument::kShaker: return 0.36;
        case Instrument::kHats: return 0.42;
        case Instrument::kRim: return 0.55;
        default: return 0.6;
    }
}

// Writes one bar of a 16-step pattern; `from`/`to` limit the steps written (for fills).
void WriteBar(const std::string& steps, size_t offset, Instrument instrument, int64_t bar_step, double energy,
              int shaker_note, std::vector<NoteEvent>& out, int from = 0, int to = kStepsPerBar) {
    for (int s = from; s < to; ++s) {
        const char c = steps[offset + static_cast<size_t>(s)];
        const std::optional<int> note = DrumNote(c, instrument, shaker_note);
        if (!note) continue;
        const bool accent = std::isupper(static_cast<unsigned char>(c)) != 0;
        const double velocity = (BaseVelocity(instrument) + (accent ? 0.14 : 0.0)) * (0.75 + 0.3 * energy);
        const double length = instrument == Instrument::kHats && *note == 46 ? 2.0 : 1.0;
        out.push_back(GridEvent(bar_step + s, length, *note, velocity));
    }
}

void WriteFill(FillKind fill, const ResolvedSpec& spec, int64_t bar_step, Rng& rng, PartEvents& out) {
    switch (fill) {
        case FillKind::kPercRoll: {
            if (spec.band.count(Instrument::kPerc) == 0) return;
            // Congas or toms, high to low, 16ths over the last two beats, rising in level.
            static constexpr int kCongas[] = {63, 62, 63, 64};
            static constexpr int kToms[] = {50, 47, 45, 41};
            const int* voices = rng.Chance(0.5) ? kCongas : kToms;
            const int start = rng.Chance(0.5) ? 8 : 10;
            for (int s = start; s < kStepsPerBar; ++s) {
                const int voice = voices[static_cast<size_t>((s - start) * 4 / (kStepsPerBar - start)) % 4];
                const double velocity = 0.45 + 0.4 * (s - start) / static_cast<double>(kStepsPerBar - start);
                out[Instrument::kPerc].push_back(GridEvent(bar_step + s, 1.0, voice, velocity));
            }
            break;
        }
        case FillKind::kSnareRoll: {
            if (spec.band.count(Instrument::kClap) == 0) return;
            const int start = rng.Chance(0.5) ? 12 : 10;
            for (int s = start; s < kStepsPerBar; ++s) {
                const double velocity = 0.4 + 0.45 * (s - start) / static_cast<double>(kStepsPerBar - start);
                out[Instrument::kClap].push_back(GridEvent(bar_step + s, 1.0, 38, velocity));
            }
            break;
        }
        case FillKind::kOpenHat: {
            if (spec.band.count(Instrument::kHats) == 0) return;
            for (int s : {10, 14, 15})
                out[Instrument::kHats].push_back(GridEvent(bar_step + s, 2.0, 46, 0.6));
            break;
        }
        case FillKind::kDroppedBar:  // the kick/log drum/bass writers leave the space
        case FillKind::kNone: break;
    }
}

}  // namespace

std::optional<int> DrumNote(char letter, Instrument instrument, int shaker_note) {
    switch (std::tolower(static_cast<unsigned char>(letter))) {
        case 'x': return DefaultVoice(instrument, shaker_note);
        case 'k': return 36;
        case 'c': return 39;
        case 's': return 38;
        case 'o': return 46;
        case 'r': return 37;
        case 'w': return 76;
        case 'v': return 77;
        case 'm': return 62;
        case 'h': return 63;
        case 'l': return 64;
        case 'b': return 60;
        case 'd': return 61;
        case 'f': return 41;
        case 't': return 45;
        case 'u': return 47;
        case 'y': return 50;
        case 'e': return 71;
        case 'g': return 72;
        case 'q': return 56;
        default: return std::nullopt;
    }
}

void WriteDrums(const StyleProfile& style, const ResolvedSpec& spec, const Arrangement& arrangement, Rng& rng,
                PartEvents& out) {
    Rng kick_rng = rng.Fork("kick");
    Rng clap_rng = rng.Fork("clap");
    Rng shaker_rng = rng.Fork("shaker");
    Rng hats_rng = rng.Fork("hats");
    Rng rim_rng = rng.Fork("rim");
    Rng perc_rng = rng.Fork("perc");
    Rng fill_rng = rng.Fork("fills");

    const StepPattern* kick = nullptr;
    const StepPattern* kick_sparse = nullptr;
    const StepPattern* clap = nullptr;
    const StepPattern* shaker = nullptr;
    const StepPattern* hats = nullptr;
    const StepPattern* rim = nullptr;
    const StepPattern* perc = nullptr;
    int previous_section = -1;
    const bool is_loop = spec.loop != LoopPart::kNone;

    for (size_t b = 0; b < arrangement.bars.size(); ++b) {
        const BarPlan& bar = arrangement.bars[b];
        const int64_t bar_step = static_cast<int64_t>(b) * kStepsPerBar;
        const bool new_section = bar.section != previous_section;
        const bool new_block = b % 8 == 0;
        previous_section = bar.section;
        if (new_section) {
            kick = &Pick(style.kick_main, kick_rng);
            kick_sparse = &Pick(style.kick_sparse, kick_rng);
            shaker = &Pick(style.shaker, shaker_rng);
        }
        if (new_section || new_block) {
            // The clap mostly stays on 2 and 4; its variants come and go per block.
            clap = &Pick(style.clap, clap_rng);
            hats = &Pick(style.hats, hats_rng);
            rim = &Pick(style.rim, rim_rng);
            perc = &Pick(style.perc, perc_rng);
        }
        const double energy = bar.energy;
        const bool dropped = bar.fill == FillKind::kDroppedBar;
        const int keep_to = dropped ? kStepsPerBar / 2 : kStepsPerBar;

        if (bar.Plays(Instrument::kKick)) {
            const StepPattern* pattern = bar.sparse_kick ? kick_sparse : kick;
            WriteBar(pattern->steps, 0, Instrument::kKick, bar_step, energy, style.shaker_note,
                     out[Instrument::kKick], 0, keep_to);
        }
        if (bar.Plays(Instrument::kClap) && bar.fill != FillKind::kSnareRoll) {
            WriteBar(clap->steps, 0, Instrument::kClap, bar_step, energy, style.shaker_note,
                     out[Instrument::kClap]);
        } else if (bar.Plays(Instrument::kClap)) {
            WriteBar(clap->steps, 0, Instrument::kClap, bar_step, energy, style.shaker_note,
                     out[Instrument::kClap], 0, 10);
        }
        if (bar.Plays(Instrument::kShaker)) {
            auto& events = out[Instrument::kShaker];
            const size_t before = events.size();
            WriteBar(shaker->steps, 0, Instrument::kShaker, bar_step, energy, style.shaker_note, events);
            // Quieter tracks thin the unaccented shaker hits a little (never in loops: a loop
            // repeats, so a random gap would repeat too).
            if (!is_loop) {
                for (size_t i = before; i < events.size();) {
                    const bool ghost = events[i].velocity < 0.4f;
                    if (ghost && shaker_rng.Chance(0.12 * (1.0 - energy))) {
                        events.erase(events.begin() + static_cast<std::ptrdiff_t>(i));
                    } else {
                        ++i;
                    }
                }
            }
        }
        if (bar.Plays(Instrument::kHats) && bar.fill != FillKind::kOpenHat) {
            WriteBar(hats->steps, 0, Instrument::kHats, bar_step, energy, style.shaker_note,
                     out[Instrument::kHats]);
        } else if (bar.Plays(Instrument::kHats)) {
            WriteBar(hats->steps, 0, Instrument::kHats, bar_step, energy, style.shaker_note,
                     out[Instrument::kHats], 0, 10);
        }
        if (bar.Plays(Instrument::kRim)) {
            WriteBar(rim->steps, 0, Instrument::kRim, bar_step, energy, style.shaker_note,
                     out[Instrument::kRim]);
        }
        if (bar.Plays(Instrument::kPerc)) {
            // Two-bar call and response; the answer of the block's last phrase is played from
            // the call's first half to vary it.
            const size_t half = (b % 2 == 0) ? 0 : kStepsPerBar;
            const bool roll = bar.fill == FillKind::kPercRoll;
            WriteBar(perc->steps, half, Instrument::kPerc, bar_step, energy, style.shaker_note,
                     out[Instrument::kPerc], 0, roll ? kStepsPerBar / 2 : kStepsPerBar);
        }
        if (bar.fill != FillKind::kNone && !is_loop) WriteFill(bar.fill, spec, bar_step, fill_rng, out);
    }
}

}  // namespace amapiano::compose
