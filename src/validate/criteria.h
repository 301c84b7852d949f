// The criteria of the authenticity score, one function each: what was measured, what the subgenre
// expects, how well it fits (0..1) and one sentence telling the producer what to keep or change.
//
//   CriterionResult tempo = TempoCriterion(analysis, kb.For(Subgenre::kClassic), kb);
//   tempo.value     // 140.0
//   tempo.feedback  // "140.0 BPM is 24.0 BPM above classic's 110–116 BPM: ... slow it down to about 113
//   BPM."
//
// Values are in the criterion's unit; a value that could not be measured (no beat, silence) is
// absent. A criterion that does not apply to the track (the arrangement of a 16-bar loop) has
// applicable = false and does not count towards the overall score. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "validate/genre_knowledge.h"

namespace amapiano::validate {

struct ExpectedRange final {
    std::optional<double> min;
    std::optional<double> max;
    std::optional<double> target;  // the sweet spot, when there is one
};

struct CriterionResult final {
    std::string name;
    std::optional<double> value;
    std::string unit;
    ExpectedRange expected;
    double score = 0.0;   // 0..1
    double weight = 0.0;  // from the knowledge base
    bool applicable = true;
    std::string source = "audio";  // "audio", or "score" when read from our own composition
    std::string feedback;
};

// What the validator can take from a composed Score instead of listening.
struct ScoreFacts final {
    double extended_chord_share = 0.0;  // share of the harmony's beats on 7th/9th/11th/13th chords
};

CriterionResult TempoCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                               const GenreKnowledge& kb);
CriterionResult LogDrumCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                 const GenreKnowledge& kb);
CriterionResult LogDrumSoundCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                      const GenreKnowledge& kb);
CriterionResult ShakersCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                 const GenreKnowledge& kb);
CriterionResult GrooveCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                const GenreKnowledge& kb);
CriterionResult HarmonicColourCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                        const GenreKnowledge& kb, const std::optional<ScoreFacts>& facts);
CriterionResult LowEndCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                const GenreKnowledge& kb);
CriterionResult ArrangementCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                     const GenreKnowledge& kb);
CriterionResult LoudnessCriterion(const analysis::Analysis& a, const SubgenreExpectations& e,
                                  const GenreKnowledge& kb);

// Formats numbers the way the feedback sentences do ("113", "55.3", "-14.0").
std::string FormatNumber(double value, int decimals);

}  // namespace amapiano::validate
