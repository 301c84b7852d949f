#include "validate/validator.h"

#include <algorithm>

#include "theory/chord.h"

namespace amapiano::validate {
namespace {

struct Scored final {
    double score = 0.0;
    std::vector<CriterionResult> criteria;
};

Scored ScoreFor(const analysis::Analysis& a, const SubgenreExpectations& e, const GenreKnowledge& kb,
                const std::optional<ScoreFacts>& facts) {
    Scored out;
    out.criteria = {
        TempoCriterion(a, e, kb),   LogDrumCriterion(a, e, kb),     LogDrumSoundCriterion(a, e, kb),
        ShakersCriterion(a, e, kb), GrooveCriterion(a, e, kb),      HarmonicColourCriterion(a, e, kb, facts),
        LowEndCriterion(a, e, kb),  ArrangementCriterion(a, e, kb), LoudnessCriterion(a, e, kb)};
    double weighted = 0.0, weights = 0.0, signature = 1.0;
    for (const CriterionResult& c : out.criteria) {
        for (const GenreKnowledge::Signature& s : kb.signatures) {
            if (c.name == s.criterion) signature *= s.floor + (1.0 - s.floor) * c.score;
        }
        if (!c.applicable) continue;
        weighted += c.weight * c.score;
        weights += c.weight;
    }
    const double mean = weights > 0.0 ? weighted / weights : 0.0;
    out.score = 100.0 * mean * signature;
    return out;
}

}  // namespace

ValidationReport Validate(const analysis::Analysis& analysis, const GenreKnowledge& knowledge,
                          const ValidationOptions& options) {
    ValidationReport report;
    const SubgenreExpectations* chosen = nullptr;
    Scored chosen_scored;
    for (const SubgenreExpectations& e : knowledge.subgenres) {
        Scored scored = ScoreFor(analysis, e, knowledge, options.score_facts);
        report.subgenre_scores[e.name] = scored.score;
        const bool wanted = options.subgenre ? e.subgenre == *options.subgenre
                                             : (chosen == nullptr || scored.score > chosen_scored.score);
        if (wanted) {
            chosen = &e;
            chosen_scored = std::move(scored);
        }
    }
    if (chosen == nullptr) return report;
    report.subgenre = chosen->name;
    report.score = chosen_scored.score;
    report.criteria = std::move(chosen_scored.criteria);
    report.verdict = report.score >= knowledge.authentic_from    ? "authentic"
                     : report.score >= knowledge.borderline_from ? "borderline"
                                                                 : "not_amapiano";
    return report;
}

ScoreFacts FactsOf(const compose::Score& score) {
    ScoreFacts facts;
    double extended = 0.0, total = 0.0;
    for (const compose::ChordSpan& span : score.harmony) {
        const std::optional<theory::Chord> chord = theory::ParseChordSymbol(span.symbol);
        if (!chord) continue;
        total += span.duration_beats;
        if (theory::ChordIntervals(chord->quality).size() >= 4) extended += span.duration_beats;
    }
    facts.extended_chord_share = total > 0.0 ? extended / total : 0.0;
    return facts;
}

}  // namespace amapiano::validate
