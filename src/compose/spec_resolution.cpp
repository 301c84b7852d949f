#include "compose/spec_resolution.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace amapiano::compose {
namespace {

std::string Format(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

bool MoodIs(const std::string& mood, std::initializer_list<const char*> words) {
    for (const char* w : words) {
        if (mood == w) return true;
    }
    return false;
}

// How a mood moves energy (added) and tempo (beats per minute, within the style's range).
double MoodEnergyShift(const std::string& mood) {
    if (MoodIs(mood, {"energetic", "hype", "driving", "aggressive"})) return 0.2;
    if (MoodIs(mood, {"dark"})) return 0.05;
    if (MoodIs(mood, {"uplifting", "happy"})) return 0.05;
    if (MoodIs(mood, {"mellow", "chilled", "soulful", "relaxed", "dreamy", "romantic"})) return -0.15;
    return 0.0;
}

double MoodTempoShift(const std::string& mood) {
    if (MoodIs(mood, {"energetic", "hype", "driving", "aggressive", "dark"})) return 2.0;
    if (MoodIs(mood, {"mellow", "chilled", "soulful", "relaxed", "dreamy", "romantic"})) return -2.0;
    return 0.0;
}

}  // namespace

Result<ResolvedSpec> ResolveSpec(const GenerationSpec& spec, const StyleProfile& style, Rng& rng) {
    ResolvedSpec r;
    r.subgenre = spec.subgenre;
    r.mood = spec.mood;
    r.loop = spec.loop;
    const bool is_loop = spec.loop != LoopPart::kNone;

    if (spec.bpm && (!std::isfinite(*spec.bpm) || *spec.bpm < kMinBpm || *spec.bpm > kMaxBpm)) {
        return Error::InvalidArgument("bpm " + Format(*spec.bpm) + " is outside the accepted range " +
                                      Format(kMinBpm) + "-" + Format(kMaxBpm) + ".");
    }
    if (spec.swing_percent &&
        (!std::isfinite(*spec.swing_percent) || *spec.swing_percent < kMinSwingPercent ||
         *spec.swing_percent > kMaxSwingPercent)) {
        return Error::InvalidArgument("swing " + Format(*spec.swing_percent) +
                                      " % is outside the accepted range " + Format(kMinSwingPercent) + "-" +
                                      Format(kMaxSwingPercent) + " %.");
    }
    if (spec.energy && (!std::isfinite(*spec.energy) || *spec.energy < 0.0 || *spec.energy > 1.0)) {
        return Error::InvalidArgument("energy " + Format(*spec.energy) +
                                      " is outside the accepted range 0-1.");
    }
    if (spec.bars && spec.seconds) {
        return Error::InvalidArgument("give the length either in bars or in seconds, not both.");
    }
    if (spec.seconds && (!std::isfinite(*spec.seconds) || *spec.seconds <= 0.0)) {
        return Error::InvalidArgument("length " + Format(*spec.seconds) +
                                      " s must be a positive number of seconds.");
    }

    const double energy_base = spec.energy.value_or(style.energy_default);
    r.energy = std::clamp(energy_base + (spec.energy ? 0.0 : MoodEnergyShift(spec.mood)), 0.0, 1.0);

    if (spec.bpm) {
        r.bpm = *spec.bpm;
    } else {
        r.bpm = std::clamp(style.tempo_bpm.default_value + MoodTempoShift(spec.mood), style.tempo_bpm.min,
                           style.tempo_bpm.max);
    }

    if (spec.key) {
        r.key = *spec.key;
    } else {
        std::vector<double> weights;
        const bool bright = MoodIs(spec.mood, {"uplifting", "happy"});
        const bool dark = MoodIs(spec.mood, {"dark"});
        for (const auto& [key, weight] : style.common_keys) {
            const bool major = key.mode == theory::Mode::kMajor;
            weights.push_back(weight * (major ? (bright ? 4.0 : (dark ? 0.0 : 1.0)) : 1.0));
        }
        r.key = style.common_keys[rng.Weighted(weights)].first;
    }

    r.swing_percent = spec.swing_percent.value_or(style.swing_percent.default_value);

    const int min_bars = is_loop ? kMinLoopBars : kMinTrackBars;
    const int max_bars = is_loop ? kMaxLoopBars : kMaxTrackBars;
    const std::string what = is_loop ? "loop" : "track";
    if (spec.bars) {
        r.bars = *spec.bars;
        if (r.bars < min_bars || r.bars > max_bars) {
            return Error::InvalidArgument("a " + what + " must be " + std::to_string(min_bars) + "-" +
                                          std::to_string(max_bars) + " bars long, not " +
                                          std::to_string(r.bars) + ".");
        }
    } else if (spec.seconds) {
        const double bars = *spec.seconds * r.bpm / 60.0 / kBeatsPerBar;
        r.bars = static_cast<int>(std::lround(bars));
        if (r.bars < min_bars || r.bars > max_bars) {
            const double bar_s = kBeatsPerBar * 60.0 / r.bpm;
            return Error::InvalidArgument("a " + what + " must be " + std::to_string(min_bars) + "-" +
                                          std::to_string(max_bars) + " bars long (" +
                                          Format(std::round(min_bars * bar_s)) + "-" +
                                          Format(std::round(max_bars * bar_s)) + " s at " + Format(r.bpm) +
                                          " BPM), not " + Format(*spec.seconds) + " s.");
        }
    } else {
        r.bars = is_loop ? kDefaultLoopBars : kDefaultTrackBars;
    }

    // The band: the style's instruments, optional ones by chance, those asked for, minus exclusions.
    r.band = style.instruments;
    for (const auto& [instrument, probability] : style.optional_instruments) {
        if (rng.Chance(probability)) r.band.insert(instrument);
    }
    for (Instrument instrument : spec.include) r.band.insert(instrument);
    for (Instrument instrument : spec.exclude) r.band.erase(instrument);
    return r;
}

SoundDesign ResolveSoundDesign(const StyleProfile& style, const ResolvedSpec& r) {
    SoundDesign sound = style.sound;
    const std::string& mood = r.mood;
    if (MoodIs(mood, {"dark"})) {
        sound.keys_brightness -= 0.2;
        sound.log_drum_drive *= 1.3;
        sound.log_drum_cutoff_hz *= 0.85;
    } else if (MoodIs(mood, {"soulful", "mellow", "chilled", "relaxed", "dreamy", "romantic"})) {
        sound.log_drum_decay_s *= 1.2;
        sound.reverb_amount += 0.1;
        sound.keys_brightness -= 0.05;
    } else if (MoodIs(mood, {"energetic", "hype", "driving", "aggressive"})) {
        sound.log_drum_drive *= 1.2;
        sound.log_drum_decay_s *= 0.85;
    } else if (MoodIs(mood, {"uplifting", "happy"})) {
        sound.keys_brightness += 0.15;
    }
    // Energy beyond the style's own pushes the drive; below it, softens it.
    sound.log_drum_drive *= 1.0 + 0.4 * (r.energy - style.energy_default);
    sound.keys_brightness = std::clamp(sound.keys_brightness, 0.0, 1.0);
    sound.reverb_amount = std::clamp(sound.reverb_amount, 0.0, 1.0);
    sound.log_drum_drive = std::max(0.5, sound.log_drum_drive);
    return sound;
}

}  // namespace amapiano::compose
