// StyleProfile: one subgenre's conventions as data, loaded from content/styles/<name>.json.
//
//   Result<StyleProfile> style = LoadStyleProfile(Subgenre::kBacardi);
//   style->tempo_bpm.default_value;   // 116
//
// The JSON files are the single source of truth for tempo, swing, patterns, harmony, instruments,
// sound design and arrangement habits; the composer reads them here and a validator can read the
// same files. Step patterns are 16 characters per bar ('-' rest); the letter legend is in
// drum_patterns.h and repeated in each JSON file's "pattern_legend".
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compose/generation_spec.h"
#include "compose/instrument.h"
#include "compose/score.h"
#include "core/error.h"
#include "theory/key.h"

namespace amapiano::compose {

struct ValueRange final {
    double min = 0.0;
    double max = 0.0;
    double default_value = 0.0;
};

struct StepPattern final {
    std::string name;
    std::string steps;  // 16 (or 32 for two-bar percussion phrases) characters
    double weight = 1.0;
};

struct ProgressionTemplate final {
    std::string name;
    std::vector<std::string> chords;  // roman numerals, see theory/chord.h
    std::vector<double> bars;         // length of each chord in bars (sums to 4 or 8)
    double weight = 1.0;
};

struct LogDrumStyle final {
    std::vector<StepPattern> patterns;  // 'x' note, 'o' octave jump up, '-' rest
    int min_change_bars = 4;            // a new placement every min..max bars (multiples of 4)
    int max_change_bars = 8;
    int low_note = 33;  // MIDI range of the line
    int high_note = 52;
    double octave_jump_probability = 0.15;  // extra octave jumps beyond the pattern's 'o'
    double glide_probability = 0.25;        // a note overlapping the next one (the synth glides)
    double extra_hit_probability = 0.1;     // per bar: one more anticipation
    double drop_hit_probability = 0.1;      // per bar: one hit left out
    double note_length = 0.8;               // fraction of the gap to the next hit that a note lasts
};

struct StyleProfile final {
    std::string name;
    std::string description;
    ValueRange tempo_bpm;
    ValueRange swing_percent;
    double energy_default = 0.5;
    std::vector<std::pair<theory::Key, double>> common_keys;  // key, weight

    std::set<Instrument> instruments;                   // always in the band
    std::map<Instrument, double> optional_instruments;  // probability of joining

    // Drums. kick_main drives grooves; kick_sparse is for intros/outros and thinned bars.
    std::vector<StepPattern> kick_main;
    std::vector<StepPattern> kick_sparse;
    std::vector<StepPattern> clap;
    std::vector<StepPattern> shaker;
    std::vector<StepPattern> hats;
    std::vector<StepPattern> rim;
    std::vector<StepPattern> perc;  // 32 steps: a two-bar call and response
    int shaker_note = 82;
    std::vector<std::string> fills;  // fill kinds this style uses, see arrangement.h

    LogDrumStyle log_drum;

    std::vector<ProgressionTemplate> minor_progressions;
    std::vector<ProgressionTemplate> major_progressions;
    std::vector<StepPattern> keys_rhythms;  // 'x' stab, 'X' accented stab, '=' hold the previous stab
    int keys_low_note = 52;
    int keys_high_note = 76;
    double keys_riff_probability = 0.3;  // a short right-hand answer at the end of a 4-bar phrase
    double lead_density = 0.5;           // 0..1, how many notes the lead answers with

    SoundDesign sound;

    // How tracks of the style sound to the analyser (for the validator; the composer ignores it).
    ValueRange heard_log_drum_decay_s;  // min = max = 0 when the profile does not say
    std::string heard_log_drum_character;

    // Arrangement habits.
    double fill_probability = 0.6;  // at 8-bar boundaries (16-bar boundaries always fill)
    bool breakdown_keeps_shaker = true;
    double intro_kick_entry = 0.5;         // fraction of the intro after which the kick enters
    double sparse_kick_probability = 0.2;  // chance that an 8-bar groove block thins the kick
};

// Parses a style profile document. Errors: kCorruptData naming the field that is missing or wrong.
Result<StyleProfile> ParseStyleProfile(std::string_view json_text);

// The embedded profile of `subgenre` (content/styles/<name>.json). Errors: kNotFound when the file
// was not embedded, kCorruptData when it does not parse.
Result<StyleProfile> LoadStyleProfile(Subgenre subgenre);

}  // namespace amapiano::compose
