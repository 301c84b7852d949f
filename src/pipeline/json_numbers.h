// Numbers in the pipeline's JSON documents are rounded for people: they are measurements, not
// identifiers.
#pragma once

#include <cmath>

namespace amapiano::pipeline {

inline double Round(double value, int digits) {
    const double scale = std::pow(10.0, digits);
    return std::round(value * scale) / scale;
}

}  // namespace amapiano::pipeline
