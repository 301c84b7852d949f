// KeyProfiles: pitch-class templates of major and minor keys, and the template matching that turns a
// chroma vector into a ranking of the 24 keys.
//
// A profile gives, for a key with tonic C, the expected weight of each pitch class C .. B. Matching
// rotates the profile to every tonic and computes the Pearson correlation with the chroma (as
// Essentia's Key algorithm does), so the scale of the chroma does not matter.
//
//   std::array<double, 12> chroma = ...;                      // C .. B
//   KeyRanking r = RankKeys(chroma, Profile(KeyProfileType::kEdma));
//   r.best.key;          // theory::Key{tonic_pc, mode}
//   r.best.correlation;  // -1 .. 1
//
// Pure functions, no state.
#pragma once

#include <array>
#include <string_view>

#include "theory/key.h"

namespace amapiano::analysis {

enum class KeyProfileType {
    kEdma,       // Faraldo et al. 2016, automatic profiles from electronic dance music (Essentia "edma")
    kBgate,      // Faraldo et al. 2017, EDM profiles with weak degrees gated to 0 (Essentia "bgate")
    kTemperley,  // Temperley 1999, "What's key for key?" (Essentia "temperley")
    kKrumhansl,  // Krumhansl & Kessler 1982 probe-tone ratings (Essentia "krumhansl")
    kShaath,     // Sha'ath 2011, Krumhansl tuned for popular/electronic music (Essentia "shaath")
};

std::string_view KeyProfileName(KeyProfileType type);  // "edma", "bgate", ...

struct KeyProfile final {
    std::array<double, 12> major{};  // index 0 = tonic, 1 = minor second, ... 11 = major seventh
    std::array<double, 12> minor{};
};

const KeyProfile& Profile(KeyProfileType type);

struct KeyScore final {
    theory::Key key;
    double correlation = -1.0;  // Pearson correlation of the chroma with the rotated profile
};

struct KeyRanking final {
    KeyScore best;         // the winning key
    KeyScore runner_up;    // the best of the other 23 keys
    KeyScore best_major;   // the best major key (equal to best when best is major)
    KeyScore best_minor;   // the best minor key
};

// Ranks the 24 keys for a chroma vector (index 0 = C). A flat chroma correlates with nothing: every
// score is 0 and the "best" key is C major.
KeyRanking RankKeys(const std::array<double, 12>& chroma, const KeyProfile& profile);

}  // namespace amapiano::analysis
