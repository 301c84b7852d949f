#include "pipeline/validation_json.h"

#include <cmath>

#include "pipeline/json_numbers.h"

namespace amapiano::pipeline {
namespace {

using nlohmann::json;

json Optional(const std::optional<double>& value, int digits) {
    return value ? json(Round(*value, digits)) : json(nullptr);
}

}  // namespace

json ValidationJson(const validate::ValidationReport& report) {
    json out;
    out["score"] = Round(report.score, 1);
    out["verdict"] = report.verdict;
    out["subgenre"] = report.subgenre;
    json scores = json::object();
    for (const auto& [name, score] : report.subgenre_scores) scores[name] = Round(score, 1);
    out["subgenre_scores"] = std::move(scores);
    json criteria = json::array();
    for (const validate::CriterionResult& c : report.criteria) {
        json expected = json::object();
        if (c.expected.min) expected["min"] = Round(*c.expected.min, 2);
        if (c.expected.max) expected["max"] = Round(*c.expected.max, 2);
        if (c.expected.target) expected["target"] = Round(*c.expected.target, 2);
        criteria.push_back({{"name", c.name},
                            {"value", Optional(c.value, 2)},
                            {"unit", c.unit},
                            {"expected", std::move(expected)},
                            {"score", Round(c.score, 3)},
                            {"weight", c.weight},
                            {"applicable", c.applicable},
                            {"source", c.source},
                            {"feedback", c.feedback}});
    }
    out["criteria"] = std::move(criteria);
    return out;
}

json ValidationJson(const std::string& file, const validate::ValidationReport& report) {
    json out = ValidationJson(report);
    out["file"] = file;
    return out;
}

}  // namespace amapiano::pipeline
