#include "validate/criteria.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>

namespace amapiano::validate {
namespace {

constexpr double kTempoSlackBpm = 0.5;

// 0 at `zero`, 1 at `full` (either order), linear in between.
double Ramp(double x, double zero, double full) {
    if (full == zero) return x >= full ? 1.0 : 0.0;
    return std::clamp((x - zero) / (full - zero), 0.0, 1.0);
}

std::string Range(double min, double max, int decimals) {
    return FormatNumber(min, decimals) + "-" + FormatNumber(max, decimals);
}

CriterionResult Start(const char* name, const char* unit, const GenreKnowledge& kb) {
    CriterionResult c;
    c.name = name;
    c.unit = unit;
    if (const CriterionSpec* spec = kb.Criterion(name)) c.weight = spec->weight;
    return c;
}

// Score of a value against a range with a sweet spot: `edge` at the range's ends, 1 at the target,
// falling linearly to 0 at `zero_beyond` outside the range.
double RangeScore(double x, const compose::ValueRange& r, double edge, double zero_beyond) {
    if (x >= r.min && x <= r.max) {
        const double half = std::max({r.default_value - r.min, r.max - r.default_value, 1e-9});
        return 1.0 - (1.0 - edge) * std::abs(x - r.default_value) / half;
    }
    const double beyond = x < r.min ? r.min - x : x - r.max;
    return edge * std::max(0.0, 1.0 - beyond / zero_beyond);
}

}  // namespace

std::string FormatNumber(double value, int decimals) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    std::string s = buffer;
    if (s == "-0" || s == "-0.0") s = s.substr(1);
    return s;
}

CriterionResult TempoCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                               const GenreKnowledge& kb) {
    CriterionResult c = Start("tempo", "BPM", kb);
    const compose::ValueRange& r = e.tempo_bpm;
    c.expected = {r.min, r.max, r.default_value};
    const std::string range = e.name + "'s " + Range(r.min, r.max, 0) + " BPM (sweet spot " +
                              FormatNumber(r.default_value, 0) + ")";
    if (!a.has_tempo) {
        c.feedback =
            "No steady beat was found: amapiano rides a steady four-on-the-floor pulse at " + range + ".";
        return c;
    }
    c.value = a.bpm;
    // Within half a BPM of the range is inside it: tempo estimates and rounded tempos differ that much.
    const double bpm = std::abs(a.bpm - std::clamp(a.bpm, r.min, r.max)) <= kTempoSlackBpm
                           ? std::clamp(a.bpm, r.min, r.max)
                           : a.bpm;
    const double edge = kb.Param("tempo", "edge_score");
    const double zero_beyond = kb.Param("tempo", "zero_beyond_bpm");
    // A half- or double-time reading of the right tempo is nearly as good (a little less: the feel
    // the listener gets depends on which pulse is loudest).
    double best = RangeScore(bpm, r, edge, zero_beyond);
    double felt = bpm;
    for (double factor : {0.5, 2.0}) {
        const double s = 0.9 * RangeScore(bpm * factor, r, edge, zero_beyond);
        if (s > best) {
            best = s;
            felt = bpm * factor;
        }
    }
    c.score = best;
    const std::string heard = FormatNumber(a.bpm, 1) + " BPM";
    if (felt != bpm) {
        c.feedback = heard + " reads as " + FormatNumber(felt, 1) + " BPM in " +
                     (felt < bpm ? "half" : "double") + " time, inside " + range +
                     "; make the four-on-the-floor kick the loudest pulse.";
    } else if (bpm < r.min) {
        c.feedback = heard + " is " + FormatNumber(r.min - a.bpm, 1) + " BPM below " + range +
                     ": speed it up to about " + FormatNumber(r.default_value, 0) + " BPM.";
    } else if (bpm > r.max) {
        c.feedback = heard + " is " + FormatNumber(a.bpm - r.max, 1) + " BPM above " + range +
                     ": slow it down to about " + FormatNumber(r.default_value, 0) + " BPM.";
    } else {
        c.feedback = heard + " sits inside " + range + ".";
    }
    return c;
}

CriterionResult LogDrumCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                 const GenreKnowledge& kb) {
    CriterionResult c = Start("log_drum", "off-beat notes per bar", kb);
    const double expected = e.log_drum_offbeat_hits_per_bar;
    const double tolerance = kb.Param("log_drum", "density_tolerance");
    c.expected = {std::max(1.0, expected - tolerance), expected + tolerance, expected};
    const std::string typical =
        e.name + " lines put about " + FormatNumber(expected, 1) + " notes per bar between the beats";
    if (!a.has_tempo) {
        c.feedback = "No steady beat, so no log drum between the kicks: " + typical + ".";
        return c;
    }
    const analysis::LogDrumResult& ld = a.log_drum;
    if (!ld.present) {
        c.value = 0.0;
        c.score = std::min(0.3, 0.4 * ld.confidence);
        c.feedback =
            "No log drum was heard (confidence " + FormatNumber(ld.confidence, 2) +
            "): add the pitched, decaying log-drum bass playing syncopated notes between the kicks; " +
            typical + ".";
        return c;
    }
    c.value = ld.hits_per_bar;
    const double coverage = ld.bar_coverage;
    const double full_coverage = kb.Param("log_drum", "full_bar_coverage");
    const double presence = 0.6 + 0.4 * std::min(1.0, coverage / full_coverage);
    const double off = std::abs(ld.hits_per_bar - expected);
    const double density_fit =
        off <= tolerance ? 1.0 : std::max(0.0, 1.0 - (off - tolerance) / (2.0 * tolerance));
    c.score = presence * (0.75 + 0.25 * density_fit);
    const std::string heard =
        "The log drum carries the bass between the kicks: " + FormatNumber(ld.hits_per_bar, 1) +
        " off-beat notes per bar in " + FormatNumber(100.0 * coverage, 0) + " % of the bars";
    if (coverage < full_coverage) {
        c.feedback = heard + "; let it play through the main sections (at least " +
                     FormatNumber(100.0 * full_coverage, 0) + " % of the bars).";
    } else if (off > tolerance) {
        c.feedback = heard + ", " + (ld.hits_per_bar > expected ? "busier" : "sparser") + " than " + e.name +
                     " (about " + FormatNumber(expected, 1) + " per bar).";
    } else {
        c.feedback = heard + " (" + e.name + ": about " + FormatNumber(expected, 1) + ").";
    }
    return c;
}

CriterionResult LogDrumSoundCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                      const GenreKnowledge& kb) {
    CriterionResult c = Start("log_drum_sound", "s decay", kb);
    const compose::ValueRange& r = e.log_drum_decay_s;
    if (r.max <= 0.0 || !a.has_tempo || !a.log_drum.present || a.log_drum.decay_s <= 0.0) {
        c.applicable = false;
        c.feedback = r.max <= 0.0
                         ? "The " + e.name + " profile says nothing about how its log drum sounds."
                         : "No log drum to judge the sound of (" + e.name + "'s is " + e.log_drum_character +
                               ", decaying in " + Range(r.min, r.max, 2) + " s).";
        return c;
    }
    c.expected = {r.min, r.max, std::nullopt};
    const double decay = a.log_drum.decay_s;
    c.value = decay;
    // Decay times are compared on a log scale: twice as long is as far off as half as long.
    const double octaves_off = decay < r.min   ? std::log2(r.min / decay)
                               : decay > r.max ? std::log2(decay / r.max)
                                               : 0.0;
    c.score = std::max(0.0, 1.0 - octaves_off / kb.Param("log_drum_sound", "zero_at_octaves"));
    const std::string heard = "The log drum decays in " + FormatNumber(decay, 2) + " s";
    const std::string target =
        e.name + "'s " + e.log_drum_character + " log drum (" + Range(r.min, r.max, 2) + " s)";
    if (decay < r.min) {
        c.feedback = heard + ", shorter than " + target + ": lengthen its decay or let it glide.";
    } else if (decay > r.max) {
        c.feedback = heard + ", longer than " + target + ": shorten its decay or ease the distortion.";
    } else {
        c.feedback = heard + ", like " + target + ".";
    }
    return c;
}

CriterionResult ShakersCriterion(const analysis::Analysis& a, const SubgenreExpectations&,
                                 const GenreKnowledge& kb) {
    CriterionResult c = Start("shakers_16ths", "% of 16th notes", kb);
    const double full = kb.Param("shakers_16ths", "full_from");
    const double zero = kb.Param("shakers_16ths", "zero_at");
    c.expected = {100.0 * full, 100.0, std::nullopt};
    const std::string target = "target at least " + FormatNumber(100.0 * full, 0) + " %";
    if (!a.has_tempo) {
        c.feedback = "No steady beat to place rolling 16th-note shakers on (" + target + " of the 16ths).";
        return c;
    }
    const double coverage = a.sixteenth_coverage;
    c.value = 100.0 * coverage;
    c.score = Ramp(coverage, zero, full);
    const std::string heard =
        FormatNumber(100.0 * coverage, 0) + " % of the 16th notes carry a shaker or hat hit";
    if (coverage >= full) {
        c.feedback = "Shakers and hats roll on the 16ths: " + heard + " (" + target + ").";
    } else {
        c.feedback = "Only " + heard + " (" + target +
                     "): add a rolling 16th-note shaker, accented on the off-beats, through the groove.";
    }
    return c;
}

CriterionResult GrooveCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                const GenreKnowledge& kb) {
    CriterionResult c = Start("groove", "% swing", kb);
    const compose::ValueRange& r = e.swing_percent;
    c.expected = {r.min, r.max, r.default_value};
    const std::string range =
        e.name + "'s " + Range(r.min, r.max, 0) + " % (about " + FormatNumber(r.default_value, 0) + " %)";
    if (!a.has_tempo || a.swing_confidence <= 0.0) {
        c.feedback = "No 16th-note grid to measure the swing of: amapiano swings its 16ths " + range + ".";
        return c;
    }
    const double swing = analysis::SwingPercent(a.swing_ratio);
    c.value = swing;
    const double trust = std::min(1.0, a.swing_confidence / kb.Param("groove", "min_confidence"));
    c.score = trust * RangeScore(swing, r, kb.Param("groove", "edge_score"),
                                 kb.Param("groove", "zero_beyond_percent"));
    const std::string heard = FormatNumber(swing, 1) + " % swing";
    if (swing < r.min) {
        c.feedback = std::string(swing < 52.0 ? "The 16ths are straight" : "The 16ths barely swing") + " (" +
                     heard + "); " + range +
                     " gives the lazy amapiano shuffle: delay every second 16th note.";
    } else if (swing > r.max) {
        c.feedback =
            "The 16ths are over-swung (" + heard + "), past " + range + ": straighten them a little.";
    } else {
        c.feedback = "The 16ths swing in the amapiano pocket: " + heard + ", inside " + range + ".";
    }
    if (trust < 1.0) c.feedback += " (The swing was hard to hear: few clear off-beat 16ths.)";
    return c;
}

CriterionResult HarmonicColourCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                        const GenreKnowledge& kb, const std::optional<ScoreFacts>& facts) {
    CriterionResult c = Start("harmonic_colour", "% of chords extended", kb);
    // Subgenres with plainer vocabularies (bacardi's triad vamps) expect proportionally fewer.
    const double vocabulary = std::clamp(e.extended_chord_share, 0.25, 1.0);
    const double full = kb.Param("harmonic_colour", "full_from") * vocabulary;
    const double zero = kb.Param("harmonic_colour", "zero_at") * vocabulary;
    c.expected = {100.0 * full, 100.0, std::nullopt};
    const std::string target = e.name + " expects at least " + FormatNumber(100.0 * full, 0) + " %";
    double share = 0.0;
    if (facts) {
        c.source = "score";
        share = facts->extended_chord_share;
    } else {
        const analysis::HarmonyResult& h = a.harmony;
        if (h.segments == 0 || h.tonal_share < kb.Param("harmonic_colour", "min_tonal_share")) {
            c.value = 0.0;
            c.feedback =
                "Hardly any chords were heard (chords on " + FormatNumber(100.0 * h.tonal_share, 0) +
                " % of the beats): add keys or pads playing extended chords such as m9, maj7 and 11ths.";
            return c;
        }
        share = h.extended_share;
    }
    c.value = 100.0 * share;
    c.score = Ramp(share, zero, full);
    const std::string heard = FormatNumber(100.0 * share, 0) + " % of the chords are 7ths, 9ths or 11ths";
    if (share >= full) {
        c.feedback = "Jazzy, extended harmony: " + heard + " (" + target + ").";
    } else {
        c.feedback = "Mostly plain triads: only " + heard + " (" + target +
                     "); voice the keys as m9, maj7 and 11th chords.";
    }
    return c;
}

CriterionResult LowEndCriterion(const analysis::Analysis& a, const SubgenreExpectations&,
                                const GenreKnowledge& kb) {
    CriterionResult c = Start("low_end", "% of energy below 250 Hz", kb);
    const double min = kb.Param("low_end", "min"), max = kb.Param("low_end", "max");
    const double zero = kb.Param("low_end", "zero_at");
    c.expected = {100.0 * min, 100.0 * max, std::nullopt};
    const double total = a.bands.sub + a.bands.low + a.bands.low_mid + a.bands.mid + a.bands.high;
    if (total <= 0.0) {
        c.feedback = "No sound to balance: amapiano puts " + Range(100.0 * min, 100.0 * max, 0) +
                     " % of its energy in the kick and log drum below 250 Hz.";
        return c;
    }
    const double low = (a.bands.sub + a.bands.low) / total;
    c.value = 100.0 * low;
    const std::string heard = FormatNumber(100.0 * low, 0) + " % of the energy is below 250 Hz";
    const std::string target = "target " + Range(100.0 * min, 100.0 * max, 0) + " %";
    if (low < min) {
        c.score = Ramp(low, zero, min);
        c.feedback = "The low end is thin: " + heard + " (" + target +
                     "); the log drum and kick should dominate the mix.";
    } else if (low > max) {
        c.score = std::max(0.0, 1.0 - (low - max) / (1.0 - max + 1e-9) * 0.5);
        c.feedback = "The low end swamps everything: " + heard + " (" + target +
                     "); leave room for the keys, shakers and vocals.";
    } else {
        c.score = 1.0;
        c.feedback = "Kick and log drum lead the mix: " + heard + " (" + target + ").";
    }
    return c;
}

CriterionResult ArrangementCriterion(const analysis::Analysis& a, const SubgenreExpectations&,
                                     const GenreKnowledge& kb) {
    CriterionResult c = Start("arrangement", "intro bars", kb);
    const int min_bars = int(kb.Param("arrangement", "min_bars"));
    const int min_intro = int(kb.Param("arrangement", "min_intro_bars"));
    const int phrase = std::max(1, int(kb.Param("arrangement", "phrase_bars")));
    const int min_breakdown = int(kb.Param("arrangement", "min_breakdown_bars"));
    c.expected = {double(min_intro), std::nullopt, std::nullopt};
    const int bars = a.has_tempo ? int(std::lround(a.duration_s * a.bpm / 240.0)) : 0;
    if (!a.has_tempo || bars < min_bars) {
        c.applicable = false;
        c.feedback = a.has_tempo ? "Too short to judge the arrangement (" + std::to_string(bars) +
                                       " bars): a full track needs at least " + std::to_string(min_bars) + "."
                                 : "Without a steady beat there are no bars or phrases to judge.";
        return c;
    }
    int intro_bars = 0;
    for (const analysis::Section& s : a.sections) {
        if (s.label == "intro") intro_bars = s.bars + std::min(0, s.start_bar);
    }
    c.value = double(intro_bars);
    int changes = 0, on_grid = 0;
    const analysis::Section* breakdown = nullptr;
    for (size_t i = 1; i < a.sections.size(); ++i) {
        ++changes;
        if (a.sections[i].start_bar % phrase == 0) ++on_grid;
    }
    for (const analysis::Section& s : a.sections) {
        if (s.label == "breakdown" && s.bars >= min_breakdown && (!breakdown || s.bars > breakdown->bars)) {
            breakdown = &s;
        }
    }
    const double intro_score = std::min(1.0, double(intro_bars) / min_intro);
    const double grid_score = changes == 0 ? 0.0 : double(on_grid) / changes;
    const double breakdown_score = breakdown ? 1.0 : 0.0;
    c.score = (intro_score + grid_score + breakdown_score) / 3.0;

    std::vector<std::string> good, missing;
    if (intro_bars >= min_intro) {
        good.push_back("a " + std::to_string(intro_bars) + "-bar intro");
    } else {
        missing.push_back(intro_bars == 0
                              ? "no intro: build for 16-32 bars before the log drum drops (at least " +
                                    std::to_string(min_intro) + ")"
                              : "a short " + std::to_string(intro_bars) +
                                    "-bar intro: build for 16-32 bars (at least " +
                                    std::to_string(min_intro) + ")");
    }
    if (changes == 0) {
        missing.push_back("no section changes: the texture never moves; change it every 8 or 16 bars");
    } else if (on_grid == changes) {
        good.push_back("changes on the " + std::to_string(phrase) + "-bar grid (" + std::to_string(on_grid) +
                       " of " + std::to_string(changes) + ")");
    } else {
        missing.push_back("only " + std::to_string(on_grid) + " of " + std::to_string(changes) +
                          " section changes fall on the " + std::to_string(phrase) + "-bar grid");
    }
    if (breakdown) {
        good.push_back("a " + std::to_string(breakdown->bars) + "-bar breakdown at bar " +
                       std::to_string(breakdown->start_bar + 1));
    } else {
        missing.push_back("no breakdown: strip the low end for 8-16 bars before the last drop");
    }
    auto join = [](const std::vector<std::string>& parts) {
        std::string out;
        for (size_t i = 0; i < parts.size(); ++i)
            out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
        return out;
    };
    if (missing.empty()) {
        c.feedback = "A DJ-friendly arrangement: " + join(good) + ".";
    } else {
        std::string text = join(missing);
        text[0] = char(std::toupper(static_cast<unsigned char>(text[0])));
        c.feedback = text + (good.empty() ? "." : "; it has " + join(good) + ".");
    }
    return c;
}

CriterionResult LoudnessCriterion(const analysis::Analysis& a, const SubgenreExpectations&,
                                  const GenreKnowledge& kb) {
    CriterionResult c = Start("loudness", "LUFS", kb);
    const double min = kb.Param("loudness", "min_lufs"), max = kb.Param("loudness", "max_lufs");
    const double max_tp = kb.Param("loudness", "max_true_peak_dbtp");
    c.expected = {min, max, std::nullopt};
    const double lufs = a.loudness.integrated_lufs;
    const double tp = a.loudness.true_peak_dbtp;
    const std::string range = FormatNumber(min, 0) + " to " + FormatNumber(max, 0) + " LUFS";
    c.value = lufs;
    if (lufs <= -69.0) {
        c.feedback = "Silent: nothing reaches the " + range + " streaming range.";
        return c;
    }
    const std::string heard = FormatNumber(lufs, 1) + " LUFS";
    if (lufs < min) {
        c.score = Ramp(lufs, kb.Param("loudness", "zero_below_lufs"), min);
        c.feedback = "At " + heard + " the master is " + FormatNumber(min - lufs, 1) +
                     " dB quieter than the " + range + " streaming range: raise it.";
    } else if (lufs > max) {
        c.score = Ramp(lufs, kb.Param("loudness", "zero_above_lufs"), max);
        c.feedback =
            "At " + heard + " the master is " + FormatNumber(lufs - max, 1) + " dB louder than " + range +
            ": streaming services turn it down and only the crushed dynamics remain; ease the limiter.";
    } else {
        c.score = 1.0;
        c.feedback = heard + " integrated is ready for streaming (" + range + ")";
    }
    const bool in_range = c.score >= 1.0;
    if (tp > max_tp) {
        c.score *= 0.8;
        const std::string peak = "true peak " + FormatNumber(tp, 1) + " dBTP";
        c.feedback += in_range ? "; but its " + peak : " Its " + peak;
        c.feedback +=
            " will clip after lossy encoding: keep peaks at or below " + FormatNumber(max_tp, 0) + " dBTP.";
    } else if (in_range) {
        c.feedback += ", peaks at " + FormatNumber(tp, 1) + " dBTP.";
    }
    return c;
}

}  // namespace amapiano::validate
