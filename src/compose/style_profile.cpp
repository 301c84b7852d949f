#include "compose/style_profile.h"

#include <nlohmann/json.hpp>

#include "compose/embedded_content.h"
#include "theory/chord.h"

namespace amapiano::compose {
namespace {

using nlohmann::json;

// Thrown inside this file only, turned into kCorruptData at the API boundary.
struct ProfileError {
    std::string message;
};

const json& Field(const json& object, const char* name) {
    if (!object.is_object() || !object.contains(name)) {
        throw ProfileError{std::string("missing field '") + name + "'"};
    }
    return object.at(name);
}

double Number(const json& object, const char* name) {
    const json& value = Field(object, name);
    if (!value.is_number()) throw ProfileError{std::string("field '") + name + "' must be a number"};
    return value.get<double>();
}

double NumberOr(const json& object, const char* name, double fallback) {
    return object.contains(name) ? Number(object, name) : fallback;
}

ValueRange Range(const json& object, const char* name) {
    const json& r = Field(object, name);
    ValueRange range{Number(r, "min"), Number(r, "max"), NumberOr(r, "default", 0.0)};
    if (!r.contains("default")) range.default_value = (range.min + range.max) / 2.0;
    if (range.min > range.max || range.default_value < range.min || range.default_value > range.max) {
        throw ProfileError{std::string("range '") + name + "' must satisfy min <= default <= max"};
    }
    return range;
}

std::vector<StepPattern> Patterns(const json& object, const char* name, size_t steps) {
    std::vector<StepPattern> out;
    for (const json& p : Field(object, name)) {
        StepPattern pattern{p.value("name", ""), p.at("steps").get<std::string>(), p.value("weight", 1.0)};
        if (pattern.steps.size() != steps) {
            throw ProfileError{std::string("pattern '") + pattern.name + "' in '" + name + "' must have " +
                               std::to_string(steps) + " steps"};
        }
        if (pattern.weight <= 0.0) throw ProfileError{"pattern weights must be positive"};
        out.push_back(std::move(pattern));
    }
    if (out.empty()) throw ProfileError{std::string("'") + name + "' needs at least one pattern"};
    return out;
}

Instrument ParseInstrumentOrThrow(const std::string& name) {
    const std::optional<Instrument> instrument = ParseInstrument(name);
    if (!instrument) throw ProfileError{"unknown instrument '" + name + "'"};
    return *instrument;
}

std::vector<ProgressionTemplate> Progressions(const json& object, const char* name) {
    std::vector<ProgressionTemplate> out;
    for (const json& p : Field(object, name)) {
        ProgressionTemplate progression{p.value("name", ""), p.at("chords").get<std::vector<std::string>>(),
                                        p.at("bars").get<std::vector<double>>(), p.value("weight", 1.0)};
        double total = 0.0;
        for (double b : progression.bars) total += b;
        if (progression.chords.empty() || progression.chords.size() != progression.bars.size() ||
            (total != 4.0 && total != 8.0)) {
            throw ProfileError{"progression '" + progression.name +
                               "' needs one length per chord, adding up to 4 or 8 bars"};
        }
        // Check every numeral parses (against any key: the syntax does not depend on it).
        for (const std::string& roman : progression.chords) {
            if (!theory::ParseRomanChord(roman, theory::Key{}).ok()) {
                throw ProfileError{"progression '" + progression.name + "' has an unknown chord '" + roman +
                                   "'"};
            }
        }
        out.push_back(std::move(progression));
    }
    if (out.empty()) throw ProfileError{std::string("'") + name + "' needs at least one progression"};
    return out;
}

StyleProfile Parse(const json& doc) {
    StyleProfile style;
    style.name = Field(doc, "name").get<std::string>();
    style.description = doc.value("description", "");
    style.tempo_bpm = Range(doc, "tempo_bpm");
    style.swing_percent = Range(doc, "swing_percent");
    style.energy_default = Number(doc, "energy_default");
    for (const json& k : Field(doc, "common_keys")) {
        Result<theory::Key> key = theory::ParseKey(k.at("key").get<std::string>());
        if (!key) throw ProfileError{key.error().message};
        style.common_keys.emplace_back(*key, k.value("weight", 1.0));
    }
    if (style.common_keys.empty()) throw ProfileError{"'common_keys' needs at least one key"};
    for (const json& name : Field(doc, "instruments")) {
        style.instruments.insert(ParseInstrumentOrThrow(name.get<std::string>()));
    }
    if (doc.contains("optional_instruments")) {
        for (const auto& [name, p] : doc.at("optional_instruments").items()) {
            style.optional_instruments[ParseInstrumentOrThrow(name)] = p.get<double>();
        }
    }

    const json& drums = Field(doc, "drums");
    style.kick_main = Patterns(drums, "kick_main", kStepsPerBar);
    style.kick_sparse = Patterns(drums, "kick_sparse", kStepsPerBar);
    style.clap = Patterns(drums, "clap", kStepsPerBar);
    style.shaker = Patterns(drums, "shaker", kStepsPerBar);
    style.hats = Patterns(drums, "hats", kStepsPerBar);
    style.rim = Patterns(drums, "rim", kStepsPerBar);
    style.perc = Patterns(drums, "perc", 2 * kStepsPerBar);
    style.shaker_note = static_cast<int>(NumberOr(drums, "shaker_note", 82));
    style.fills = drums.value("fills", std::vector<std::string>{"perc-roll"});

    const json& log = Field(doc, "log_drum");
    style.log_drum.patterns = Patterns(log, "patterns", kStepsPerBar);
    const ValueRange change = Range(log, "change_every_bars");
    style.log_drum.min_change_bars = static_cast<int>(change.min);
    style.log_drum.max_change_bars = static_cast<int>(change.max);
    const ValueRange notes = Range(log, "range_midi");
    style.log_drum.low_note = static_cast<int>(notes.min);
    style.log_drum.high_note = static_cast<int>(notes.max);
    if (style.log_drum.high_note - style.log_drum.low_note < 12) {
        throw ProfileError{"'log_drum.range_midi' must span at least an octave"};
    }
    style.log_drum.octave_jump_probability = Number(log, "octave_jump_probability");
    style.log_drum.glide_probability = Number(log, "glide_probability");
    style.log_drum.extra_hit_probability = Number(log, "extra_hit_probability");
    style.log_drum.drop_hit_probability = Number(log, "drop_hit_probability");
    style.log_drum.note_length = Number(log, "note_length");

    const json& harmony = Field(doc, "harmony");
    const json& progressions = Field(harmony, "progressions");
    style.minor_progressions = Progressions(progressions, "minor");
    style.major_progressions = Progressions(progressions, "major");
    style.keys_rhythms = Patterns(harmony, "keys_rhythms", kStepsPerBar);
    const ValueRange keys_range = Range(harmony, "keys_range_midi");
    style.keys_low_note = static_cast<int>(keys_range.min);
    style.keys_high_note = static_cast<int>(keys_range.max);
    style.keys_riff_probability = NumberOr(harmony, "keys_riff_probability", 0.3);
    style.lead_density = NumberOr(harmony, "lead_density", 0.5);

    const json& sound = Field(doc, "sound_design");
    style.sound.log_drum_decay_s = Number(sound, "log_drum_decay_s");
    style.sound.log_drum_pitch_drop_st = Number(sound, "log_drum_pitch_drop_st");
    style.sound.log_drum_pitch_time_s = Number(sound, "log_drum_pitch_time_s");
    style.sound.log_drum_glide_s = Number(sound, "log_drum_glide_s");
    style.sound.log_drum_drive = Number(sound, "log_drum_drive");
    style.sound.log_drum_cutoff_hz = Number(sound, "log_drum_cutoff_hz");
    style.sound.kick_decay_s = Number(sound, "kick_decay_s");
    style.sound.keys_brightness = Number(sound, "keys_brightness");
    style.sound.reverb_amount = Number(sound, "reverb_amount");

    const json& arrangement = Field(doc, "arrangement");
    style.fill_probability = Number(arrangement, "fill_probability");
    style.breakdown_keeps_shaker = arrangement.value("breakdown_keeps_shaker", true);
    style.intro_kick_entry = Number(arrangement, "intro_kick_entry");
    style.sparse_kick_probability = Number(arrangement, "sparse_kick_probability");

    if (doc.contains("heard")) {
        const json& heard = Field(doc, "heard");
        style.heard_log_drum_decay_s = Range(heard, "log_drum_decay_s");
        style.heard_log_drum_character = heard.value("log_drum_character", "");
    }
    return style;
}

}  // namespace

Result<StyleProfile> ParseStyleProfile(std::string_view json_text) {
    try {
        return Parse(json::parse(json_text));
    } catch (const ProfileError& e) {
        return Error{ErrorCode::kCorruptData, "style profile: " + e.message};
    } catch (const json::exception& e) {
        return Error{ErrorCode::kCorruptData, std::string("style profile: ") + e.what()};
    }
}

Result<StyleProfile> LoadStyleProfile(Subgenre subgenre) {
    const std::string file = std::string(SubgenreName(subgenre)) + ".json";
    const std::string_view text = content::Find(file);
    if (text.empty()) return Error::NotFound("no embedded style profile content/styles/" + file);
    Result<StyleProfile> style = ParseStyleProfile(text);
    if (!style) return Error{ErrorCode::kCorruptData, file + ": " + style.error().message};
    return style;
}

}  // namespace amapiano::compose
