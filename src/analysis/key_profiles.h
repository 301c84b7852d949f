// KeyProfiles: pitch-class templates of major and minor keys, and the template matching that turns a
// chroma vector into a ranking of the 24 keys.
//
// A profile gives, for a key with tonic C, the expected weight of each pitch class C .. B. Matching
// rotates the profile to every tonic and computes the Pearson correlation with the chroma (as
// Essentia's Key algorithm does), so the scale of the chroma does not matter. Optionally a second
// correlation, with the key's diatonic collection (its seven scale notes, natural minor for minor
// keys), is blended in: it is the same for a major key and its relative minor, so it only votes on
// the key signature — which settles the tonic-versus-dominant confusions that jazz voicings cause
// (a Cmaj9 chord, C E G B D, contains a G major triad; only F against F# tells C major from G major).
//
//   std::array<double, 12> chroma = ...;                      // C .. B
//   KeyRanking r = RankKeys(chroma, Profile(KeyProfileType::kEdma), /*scale_weight=*/1.0);
//   r.best.key;    // theory::Key{tonic_pc, mode}
//   r.best.score;  // -1 .. 1
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
    // (profile correlation + scale_weight * scale correlation) / (1 + scale_weight), in [-1, 1]
    double score = -1.0;
};

struct KeyRanking final {
    KeyScore best;        // the winning key
    KeyScore runner_up;   // the best of the other 23 keys
    KeyScore best_major;  // the best major key (equal to best when best is major)
    KeyScore best_minor;  // the best minor key
};

// Ranks the 24 keys for a chroma vector (index 0 = C). scale_weight >= 0 is the weight of the
// diatonic-collection correlation relative to the profile correlation (0: profile only, as Essentia).
// A flat chroma correlates with nothing: every score is 0 and the "best" key is C major.
KeyRanking RankKeys(const std::array<double, 12>& chroma, const KeyProfile& profile,
                    double scale_weight = 0.0);

}  // namespace amapiano::analysis
