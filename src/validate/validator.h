// Validator: an explained "amapiano authenticity" score for one analysed track.
//
// Each criterion (criteria.h) turns part of the analysis into a measured value, the range a
// subgenre expects, a 0..1 score and one sentence of feedback. The overall score is the weighted
// mean of the applicable criteria, scaled by the signature criteria (the log drum and the tempo:
// without them a track cannot be amapiano however well the rest fits), on a 0–100 scale; the verdict follows
// the knowledge base's thresholds. Every subgenre is scored; the report explains the best match, or the
// subgenre asked for.
//
//   Result<GenreKnowledge> kb = LoadGenreKnowledge();
//   ValidationReport r = Validate(analysis, *kb);                       // best-matching subgenre
//   ValidationReport p = Validate(analysis, *kb, {.subgenre = Subgenre::kPrivateSchool});
//   r.score, r.verdict, r.criteria[0].feedback
//
// The analysis needs the tempo, loudness, bands, swing, log drum, sections and harmony features
// (analysis::FeatureSet::All() has them). Pure function; any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "compose/generation_spec.h"
#include "compose/score.h"
#include "validate/criteria.h"
#include "validate/genre_knowledge.h"

namespace amapiano::validate {

struct ValidationOptions final {
    std::optional<compose::Subgenre> subgenre;  // explain this subgenre instead of the best match
    // When the track is our own: facts read from its Score rather than heard (see ScoreFacts).
    std::optional<ScoreFacts> score_facts;
};

struct ValidationReport final {
    double score = 0.0;   // 0..100
    std::string verdict;  // "authentic", "borderline", "not_amapiano"
    std::string subgenre;
    std::map<std::string, double> subgenre_scores;  // every subgenre, 0..100
    std::vector<CriterionResult> criteria;          // of `subgenre`
};

ValidationReport Validate(const analysis::Analysis& analysis, const GenreKnowledge& knowledge,
                          const ValidationOptions& options = {});

// The facts of a composed score that the validator can use as they are (no listening needed).
ScoreFacts FactsOf(const compose::Score& score);

}  // namespace amapiano::validate
