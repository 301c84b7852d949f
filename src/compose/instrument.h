// Instrument: the parts of an amapiano arrangement. Each is one stem, one MIDI track and one
// synthesiser voice type.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace amapiano::compose {

enum class Instrument {
    kLogDrum,  // the pitched, decaying, gliding bass drum that defines the genre
    kKick,
    kShaker,  // rolling 16ths, main swing carrier
    kClap,    // claps and snares on 2 and 4
    kHats,    // closed 16ths / open off-beat hats
    kRim,     // rimshots and woodblocks in syncopated figures
    kPerc,    // congas, bongos, toms, whistles: call and response
    kKeys,    // piano/Rhodes chord stabs and riffs
    kPad,     // sustained chords underneath
    kBass,    // sub bass under the chord roots
    kLead,    // sax/flute-like melodic answers (private school) or chants-like stabs
};

inline constexpr std::array<Instrument, 11> kAllInstruments = {
    Instrument::kLogDrum, Instrument::kKick, Instrument::kShaker, Instrument::kClap,
    Instrument::kHats,    Instrument::kRim,  Instrument::kPerc,   Instrument::kKeys,
    Instrument::kPad,     Instrument::kBass, Instrument::kLead};

// Stable lowercase names used for stem files, MIDI track names and JSON: "log-drum", "kick", ...
std::string_view InstrumentName(Instrument instrument);
std::optional<Instrument> ParseInstrument(std::string_view name);

// True for unpitched percussion (events carry a General MIDI drum note as their pitch).
bool IsDrum(Instrument instrument);

}  // namespace amapiano::compose
