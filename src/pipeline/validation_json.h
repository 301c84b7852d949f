// JSON view of a validation report: the object `amapiano validate --json` prints (one per line) and
// that generation stores next to its result.
//
//   {"file": "a.wav", "score": 91.4, "verdict": "authentic", "subgenre": "classic",
//    "subgenre_scores": {"classic": 91.4, "private-school": 84.0, "bacardi": 80.2, "sgija": 86.9},
//    "criteria": [{"name": "tempo", "value": 113.0, "unit": "BPM",
//                  "expected": {"min": 110, "max": 116, "target": 113}, "score": 1.0, "weight": 15,
//                  "applicable": true, "source": "audio", "feedback": "113.0 BPM sits inside ..."}, ...]}
//
// Scores are rounded to 0.1 (overall, per subgenre) and 0.001 (criteria); `value` is null when it
// could not be measured; `expected` has only the bounds the criterion uses.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "validate/validator.h"

namespace amapiano::pipeline {

nlohmann::json ValidationJson(const validate::ValidationReport& report);
nlohmann::json ValidationJson(const std::string& file, const validate::ValidationReport& report);

}  // namespace amapiano::pipeline
