#include "validate/genre_knowledge.h"

#include <mutex>
#include <nlohmann/json.hpp>

#include "compose/embedded_content.h"
#include "theory/chord.h"

namespace amapiano::validate {
namespace {

using nlohmann::json;

constexpr int kStepsPerBeat = 4;

// Off-beat notes per bar of a 16-step log-drum pattern ('x' or 'o' on a step that is not a beat).
double OffBeatHits(const std::string& steps) {
    int hits = 0;
    for (size_t i = 0; i < steps.size(); ++i) {
        if ((steps[i] == 'x' || steps[i] == 'o') && i % kStepsPerBeat != 0) ++hits;
    }
    return hits * 16.0 / double(std::max<size_t>(16, steps.size()));
}

double ExtendedShare(const std::vector<compose::ProgressionTemplate>& progressions, theory::Mode mode) {
    double extended = 0.0, total = 0.0;
    for (const compose::ProgressionTemplate& p : progressions) {
        for (size_t i = 0; i < p.chords.size() && i < p.bars.size(); ++i) {
            const Result<theory::Chord> chord = theory::ParseRomanChord(p.chords[i], theory::Key{0, mode});
            if (!chord) continue;
            const double weight = p.weight * p.bars[i];
            total += weight;
            if (theory::ChordIntervals(chord->quality).size() >= 4) extended += weight;
        }
    }
    return total > 0.0 ? extended / total : 0.0;
}

// Every criterion the validator computes, with the parameters it reads (checked at load time).
struct RequiredCriterion final {
    const char* name;
    std::vector<const char*> params;
};

const std::vector<RequiredCriterion>& Required() {
    static const std::vector<RequiredCriterion> required = {
        {"tempo", {"zero_beyond_bpm", "edge_score"}},
        {"log_drum", {"full_bar_coverage", "density_tolerance"}},
        {"log_drum_sound", {"zero_at_octaves"}},
        {"shakers_16ths", {"full_from", "zero_at"}},
        {"groove", {"zero_beyond_percent", "edge_score", "min_confidence"}},
        {"harmonic_colour", {"full_from", "zero_at", "min_tonal_share"}},
        {"low_end", {"min", "max", "zero_at"}},
        {"arrangement", {"min_bars", "min_intro_bars", "phrase_bars", "min_breakdown_bars"}},
        {"loudness", {"min_lufs", "max_lufs", "zero_below_lufs", "zero_above_lufs", "max_true_peak_dbtp"}},
    };
    return required;
}

}  // namespace

const SubgenreExpectations& GenreKnowledge::For(compose::Subgenre subgenre) const {
    for (const SubgenreExpectations& s : subgenres) {
        if (s.subgenre == subgenre) return s;
    }
    return subgenres.front();
}

const CriterionSpec* GenreKnowledge::Criterion(std::string_view name) const {
    for (const CriterionSpec& c : criteria) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

double GenreKnowledge::Param(std::string_view criterion, std::string_view param) const {
    const CriterionSpec* c = Criterion(criterion);
    if (c == nullptr) return 0.0;
    const auto it = c->params.find(std::string(param));
    return it == c->params.end() ? 0.0 : it->second;
}

SubgenreExpectations ExpectationsOf(const compose::StyleProfile& profile, compose::Subgenre subgenre) {
    SubgenreExpectations e;
    e.subgenre = subgenre;
    e.name = std::string(compose::SubgenreName(subgenre));
    e.tempo_bpm = profile.tempo_bpm;
    e.swing_percent = profile.swing_percent;
    double hits = 0.0, weights = 0.0;
    for (const compose::StepPattern& p : profile.log_drum.patterns) {
        hits += p.weight * OffBeatHits(p.steps);
        weights += p.weight;
    }
    // The composer adds and drops notes around the patterns (style_profile.h, LogDrumStyle).
    e.log_drum_offbeat_hits_per_bar = (weights > 0.0 ? hits / weights : 0.0) +
                                      profile.log_drum.extra_hit_probability -
                                      profile.log_drum.drop_hit_probability;
    e.log_drum_decay_s = profile.heard_log_drum_decay_s;
    e.log_drum_character = profile.heard_log_drum_character;
    const double minor = ExtendedShare(profile.minor_progressions, theory::Mode::kMinor);
    const double major = ExtendedShare(profile.major_progressions, theory::Mode::kMajor);
    e.extended_chord_share = profile.major_progressions.empty() ? minor : (minor + major) / 2.0;
    return e;
}

Result<GenreKnowledge> ParseGenreKnowledge(std::string_view validation_json) {
    GenreKnowledge kb;
    const json doc = json::parse(validation_json, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) return Error::CorruptData("validation knowledge base: not a JSON object");
    try {
        const json& verdicts = doc.at("verdicts");
        kb.authentic_from = verdicts.at("authentic_from").get<double>();
        kb.borderline_from = verdicts.at("borderline_from").get<double>();
        for (const json& signature : doc.at("signatures")) {
            kb.signatures.push_back(
                {signature.at("criterion").get<std::string>(), signature.at("floor").get<double>()});
        }
        const json& criteria = doc.at("criteria");
        for (const RequiredCriterion& required : Required()) {
            if (!criteria.contains(required.name)) {
                return Error::CorruptData(std::string("validation knowledge base: criterion '") +
                                          required.name + "' is missing");
            }
            const json& c = criteria.at(required.name);
            CriterionSpec spec{required.name, c.at("weight").get<double>(), {}};
            for (const auto& [key, value] : c.items()) {
                if (value.is_number()) spec.params[key] = value.get<double>();
            }
            for (const char* param : required.params) {
                if (!spec.params.count(param)) {
                    return Error::CorruptData(std::string("validation knowledge base: criterion '") +
                                              required.name + "' needs '" + param + "'");
                }
            }
            if (spec.weight < 0.0) return Error::CorruptData("validation knowledge base: negative weight");
            kb.criteria.push_back(std::move(spec));
        }
    } catch (const json::exception& e) {
        return Error::CorruptData(std::string("validation knowledge base: ") + e.what());
    }
    for (const GenreKnowledge::Signature& signature : kb.signatures) {
        if (!kb.Criterion(signature.criterion) || signature.floor < 0.0 || signature.floor > 1.0) {
            return Error::CorruptData("validation knowledge base: bad signature criterion '" +
                                      signature.criterion + "'");
        }
    }
    for (compose::Subgenre subgenre : compose::kAllSubgenres) {
        Result<compose::StyleProfile> profile = compose::LoadStyleProfile(subgenre);
        if (!profile) return profile.error();
        kb.subgenres.push_back(ExpectationsOf(*profile, subgenre));
    }
    return kb;
}

Result<GenreKnowledge> LoadGenreKnowledge() {
    static std::once_flag once;
    static Result<GenreKnowledge> cached = Error::Internal("not loaded");
    std::call_once(once, [] {
        const std::string_view text = content::Find("validation.json");
        cached = text.empty()
                     ? Result<GenreKnowledge>(Error::NotFound("content/validation.json was not embedded"))
                     : ParseGenreKnowledge(text);
    });
    return cached;
}

}  // namespace amapiano::validate
