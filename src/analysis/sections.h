// Sections: where the texture of a track changes (intro, main parts, breakdowns, outro).
//
// Each bar (from the downbeats; 4-second blocks when there is no tempo) is described by its energy
// in the five bands, its overall level and how much that level moves inside the bar (rhythmic
// activity). A boundary is placed where the four bars before and the four bars after differ most
// (a two-window novelty curve, the bar-level equivalent of Foote's checkerboard kernel), at least
// four bars from the previous one. Labels follow what changed: "intro" and "outro" for quieter
// first and last sections, "breakdown" where the low end (kick, bass, log drum) drops out, "main"
// for the rest; "silence" for a silent track.
//
//   std::vector<Section> sections = FindSections(features.frames(), rhythm.downbeats_s, duration_s);
//
// Pure function; any thread.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "analysis/spectral_features.h"

namespace amapiano::analysis {

struct Section final {
    double start_s = 0.0;
    double end_s = 0.0;
    int start_bar = 0;  // 0-based bar index (from the first downbeat); -1 before it
    int bars = 0;
    std::string label;
};

std::vector<Section> FindSections(std::span<const FrameSummary> frames, std::span<const double> downbeats_s,
                                  double duration_s);

}  // namespace amapiano::analysis
