// GenreKnowledge: what the validator expects of an amapiano track, as data.
//
// Two sources, one truth: the per-subgenre expectations come from the composer's own style profiles
// (content/styles/<subgenre>.json, via compose::LoadStyleProfile) — tempo range and sweet spot, swing
// range, how many log-drum notes fall between the beats in a bar (counted from the profile's log-drum
// patterns) and how much of the chord vocabulary is extended (counted from its progressions); the
// genre-wide thresholds and weights come from content/validation.json.
//
//   Result<GenreKnowledge> kb = LoadGenreKnowledge();
//   const SubgenreExpectations& classic = kb->subgenres[0];   // in compose::kAllSubgenres order
//   classic.tempo_bpm.default_value;    // 113
//   kb->Param("loudness", "min_lufs");  // -16
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compose/generation_spec.h"
#include "compose/style_profile.h"
#include "core/error.h"

namespace amapiano::validate {

struct SubgenreExpectations final {
    compose::Subgenre subgenre = compose::Subgenre::kClassic;
    std::string name;  // "classic", "private-school", ...
    compose::ValueRange tempo_bpm;
    compose::ValueRange swing_percent;
    double log_drum_offbeat_hits_per_bar = 0.0;  // weighted mean of the profile's patterns, off the beat
    double extended_chord_share = 0.0;           // share of the progressions' bars on 7th/9th/11th chords
    compose::ValueRange log_drum_decay_s;        // as heard (the profile's "heard" section); 0..0 unknown
    std::string log_drum_character;              // "short and tight", ...
};

struct CriterionSpec final {
    std::string name;
    double weight = 0.0;
    std::map<std::string, double> params;
};

struct GenreKnowledge final {
    std::vector<SubgenreExpectations> subgenres;  // compose::kAllSubgenres order
    std::vector<CriterionSpec> criteria;          // in report order
    double authentic_from = 70.0;                 // overall score from which a track is "authentic"
    double borderline_from = 45.0;                // ... "borderline"; below: "not_amapiano"
    // Signature criteria scale the overall score by floor + (1 - floor) x their score: a track without
    // a log drum, or far from amapiano tempo, cannot be authentic however well the rest fits.
    struct Signature final {
        std::string criterion;
        double floor = 0.5;
    };
    std::vector<Signature> signatures;

    const SubgenreExpectations& For(compose::Subgenre subgenre) const;
    const CriterionSpec* Criterion(std::string_view name) const;
    // A criterion's parameter; absent ones are a programming error caught by the loader's checks.
    double Param(std::string_view criterion, std::string_view param) const;
};

// Expectations of one style profile.
SubgenreExpectations ExpectationsOf(const compose::StyleProfile& profile, compose::Subgenre subgenre);

// Parses content/validation.json-style text and the embedded style profiles. Errors: kCorruptData
// naming what is missing or wrong.
Result<GenreKnowledge> ParseGenreKnowledge(std::string_view validation_json);

// The embedded knowledge base (loaded once; thread-safe).
Result<GenreKnowledge> LoadGenreKnowledge();

}  // namespace amapiano::validate
