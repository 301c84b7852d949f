#include "analysis/analysis.h"

#include <array>
#include <string>

namespace amapiano::analysis {
namespace {

struct NamedFeature final {
    Feature feature;
    std::string_view name;
};

constexpr std::array<NamedFeature, 10> kFeatures = {{
    {Feature::kTempo, "tempo"},
    {Feature::kKey, "key"},
    {Feature::kLoudness, "loudness"},
    {Feature::kOnsets, "onsets"},
    {Feature::kSpectral, "spectral"},
    {Feature::kBands, "bands"},
    {Feature::kSwing, "swing"},
    {Feature::kLogDrum, "log_drum"},
    {Feature::kSections, "sections"},
    {Feature::kHarmony, "harmony"},
}};

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

FeatureSet FeatureSet::All() {
    FeatureSet set;
    for (const NamedFeature& f : kFeatures) set.Add(f.feature);
    return set;
}

Result<FeatureSet> FeatureSet::Parse(std::string_view text) {
    FeatureSet set;
    while (true) {
        const size_t comma = text.find(',');
        const std::string_view item = Trim(text.substr(0, comma));
        if (item == "all") {
            set = All();
        } else {
            bool known = false;
            for (const NamedFeature& f : kFeatures) {
                const bool dashed = f.name == "log_drum" && item == "log-drum";
                if (item == f.name || dashed) {
                    set.Add(f.feature);
                    known = true;
                }
            }
            if (!known) {
                return Error::InvalidArgument(
                    "unknown feature '" + std::string(item) +
                    "' (use all, or a comma-separated list of tempo, key, loudness, onsets, spectral, bands, "
                    "swing, log_drum, sections, harmony)");
            }
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return set;
}

bool FeatureSet::NeedsRhythm() const {
    return Has(Feature::kTempo) || Has(Feature::kOnsets) || Has(Feature::kSwing) || Has(Feature::kLogDrum) ||
           Has(Feature::kSections) || Has(Feature::kHarmony);
}

bool FeatureSet::NeedsSpectral() const {
    return Has(Feature::kSpectral) || Has(Feature::kBands) || Has(Feature::kLogDrum) ||
           Has(Feature::kSections);
}

bool FeatureSet::NeedsFrames() const {
    return NeedsRhythm() || NeedsSpectral() || Has(Feature::kKey) || Has(Feature::kHarmony);
}

double SwingPercent(double swing_ratio) { return 100.0 * swing_ratio / (1.0 + swing_ratio); }

}  // namespace amapiano::analysis
