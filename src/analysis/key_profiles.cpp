#include "analysis/key_profiles.h"

#include <algorithm>
#include <cmath>

namespace amapiano::analysis {
namespace {

// The values are those of Essentia's Key algorithm (MTG/essentia, src/algorithms/tonal/key.cpp and
// keyEDM.cpp), which cites the papers named in key_profiles.h. Index 0 is the tonic.
//                                      I    bII    II   bIII   III    IV    #IV     V    bVI    VI   bVII VII
constexpr KeyProfile kEdma = {
    {1.0000, 0.2875, 0.5020, 0.4048, 0.6050, 0.5614, 0.3205, 0.7966, 0.3159, 0.4506, 0.4202, 0.3889},
    {1.0000, 0.3096, 0.4415, 0.5827, 0.3262, 0.4948, 0.2889, 0.7804, 0.4328, 0.2903, 0.5331, 0.3217}};
constexpr KeyProfile kBgate = {{1.00, 0.00, 0.42, 0.00, 0.53, 0.37, 0.00, 0.77, 0.00, 0.38, 0.21, 0.30},
                               {1.00, 0.00, 0.36, 0.39, 0.00, 0.38, 0.00, 0.74, 0.27, 0.00, 0.42, 0.23}};
constexpr KeyProfile kTemperley = {{5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0},
                                   {5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0}};
constexpr KeyProfile kKrumhansl = {{6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88},
                                   {6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17}};
constexpr KeyProfile kShaath = {{6.6, 2.0, 3.5, 2.3, 4.6, 4.0, 2.5, 5.2, 2.4, 3.7, 2.3, 3.4},
                                {6.5, 2.7, 3.5, 5.4, 2.6, 3.5, 2.5, 5.2, 4.0, 2.7, 4.3, 3.2}};

// Diatonic collections: major scale and natural minor (the relative major's notes).
constexpr std::array<double, 12> kMajorScale = {1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1};
constexpr std::array<double, 12> kNaturalMinorScale = {1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0};

// Pearson correlation of x with the profile p rotated so that p[0] sits on pitch class `tonic`.
double Correlation(const std::array<double, 12>& x, const std::array<double, 12>& p, int tonic) {
    double mx = 0.0, mp = 0.0;
    for (int i = 0; i < 12; ++i) {
        mx += x[i];
        mp += p[i];
    }
    mx /= 12.0;
    mp /= 12.0;
    double sxy = 0.0, sxx = 0.0, spp = 0.0;
    for (int i = 0; i < 12; ++i) {
        const double dx = x[(tonic + i) % 12] - mx;
        const double dp = p[i] - mp;
        sxy += dx * dp;
        sxx += dx * dx;
        spp += dp * dp;
    }
    if (sxx <= 0.0 || spp <= 0.0) return 0.0;
    return sxy / std::sqrt(sxx * spp);
}

}  // namespace

std::string_view KeyProfileName(KeyProfileType type) {
    switch (type) {
        case KeyProfileType::kEdma: return "edma";
        case KeyProfileType::kBgate: return "bgate";
        case KeyProfileType::kTemperley: return "temperley";
        case KeyProfileType::kKrumhansl: return "krumhansl";
        case KeyProfileType::kShaath: return "shaath";
    }
    return "edma";
}

const KeyProfile& Profile(KeyProfileType type) {
    switch (type) {
        case KeyProfileType::kEdma: return kEdma;
        case KeyProfileType::kBgate: return kBgate;
        case KeyProfileType::kTemperley: return kTemperley;
        case KeyProfileType::kKrumhansl: return kKrumhansl;
        case KeyProfileType::kShaath: return kShaath;
    }
    return kEdma;
}

KeyRanking RankKeys(const std::array<double, 12>& chroma, const KeyProfile& profile, double scale_weight) {
    scale_weight = std::max(0.0, scale_weight);
    KeyRanking r;
    r.best = r.runner_up = r.best_major = r.best_minor = KeyScore{{0, theory::Mode::kMajor}, -2.0};
    r.best_minor.key.mode = theory::Mode::kMinor;
    for (theory::Mode mode : {theory::Mode::kMajor, theory::Mode::kMinor}) {
        const bool major = mode == theory::Mode::kMajor;
        const std::array<double, 12>& p = major ? profile.major : profile.minor;
        const std::array<double, 12>& scale = major ? kMajorScale : kNaturalMinorScale;
        KeyScore& best_of_mode = major ? r.best_major : r.best_minor;
        for (int tonic = 0; tonic < 12; ++tonic) {
            double score = Correlation(chroma, p, tonic);
            if (scale_weight > 0.0) {
                score = (score + scale_weight * Correlation(chroma, scale, tonic)) / (1.0 + scale_weight);
            }
            const KeyScore candidate{{tonic, mode}, score};
            if (candidate.score > best_of_mode.score) best_of_mode = candidate;
            // Strict comparisons: ties keep the earlier key (major before minor, C upwards).
            if (candidate.score > r.best.score) {
                r.runner_up = r.best;
                r.best = candidate;
            } else if (candidate.score > r.runner_up.score) {
                r.runner_up = candidate;
            }
        }
    }
    return r;
}

}  // namespace amapiano::analysis
