// GenerationSpec: what the user asked for, before the composer fills in the rest.
//
// Every field the user did not set is std::nullopt / empty and is resolved by the composer from the
// subgenre's style profile and the seed; the resolved values are in the Score.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compose/instrument.h"
#include "theory/key.h"

namespace amapiano::compose {

enum class Subgenre { kClassic, kPrivateSchool, kBacardi, kSgija };

inline constexpr Subgenre kAllSubgenres[] = {Subgenre::kClassic, Subgenre::kPrivateSchool, Subgenre::kBacardi,
                                             Subgenre::kSgija};

// "classic", "private-school", "bacardi", "sgija".
std::string_view SubgenreName(Subgenre subgenre);
std::optional<Subgenre> ParseSubgenre(std::string_view name);

// What a --loop render contains. kNone means a full arranged track.
enum class LoopPart { kNone, kLogDrum, kPiano, kDrums, kBass, kFull };

// "log-drum", "piano", "drums", "bass", "full" ("none" for kNone).
std::string_view LoopPartName(LoopPart part);
std::optional<LoopPart> ParseLoopPart(std::string_view name);

// Limits the composer accepts (the CLI validates against these and reports usage errors).
inline constexpr double kMinBpm = 60.0;
inline constexpr double kMaxBpm = 200.0;
inline constexpr int kMinTrackBars = 8;
inline constexpr int kMaxTrackBars = 512;
inline constexpr int kMinLoopBars = 4;
inline constexpr int kMaxLoopBars = 16;
inline constexpr double kMinSwingPercent = 50.0;
inline constexpr double kMaxSwingPercent = 75.0;

struct GenerationSpec final {
    std::string prompt;  // the text as given (may be empty)
    Subgenre subgenre = Subgenre::kClassic;
    std::optional<double> bpm;  // beats per minute
    std::optional<theory::Key> key;
    std::optional<int> bars;        // length in 4/4 bars
    std::optional<double> seconds;  // length in seconds (rounded to whole bars); exclusive with bars
    uint64_t seed = 1;
    LoopPart loop = LoopPart::kNone;
    std::optional<double> swing_percent;  // 50 = straight, 52-60 typical
    std::optional<double> energy;         // 0 (mellow) .. 1 (driving)
    std::string mood;                     // e.g. "soulful", "dark"; empty = the style's own
    std::set<Instrument> include;         // asked for explicitly
    std::set<Instrument> exclude;         // asked to leave out (wins over include)
    double loudness_target_lufs = -14.0;
    double true_peak_ceiling_dbtp = -1.0;
};

}  // namespace amapiano::compose
