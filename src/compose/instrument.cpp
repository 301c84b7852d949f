#include "compose/instrument.h"

namespace amapiano::compose {

std::string_view InstrumentName(Instrument instrument) {
    switch (instrument) {
        case Instrument::kLogDrum: return "log-drum";
        case Instrument::kKick: return "kick";
        case Instrument::kShaker: return "shaker";
        case Instrument::kClap: return "clap";
        case Instrument::kHats: return "hats";
        case Instrument::kRim: return "rim";
        case Instrument::kPerc: return "perc";
        case Instrument::kKeys: return "keys";
        case Instrument::kPad: return "pad";
        case Instrument::kBass: return "bass";
        case Instrument::kLead: return "lead";
    }
    return "unknown";
}

std::optional<Instrument> ParseInstrument(std::string_view name) {
    for (Instrument instrument : kAllInstruments) {
        if (InstrumentName(instrument) == name) return instrument;
    }
    return std::nullopt;
}

bool IsDrum(Instrument instrument) {
    switch (instrument) {
        case Instrument::kKick:
        case Instrument::kShaker:
        case Instrument::kClap:
        case Instrument::kHats:
        case Instrument::kRim:
        case Instrument::kPerc: return true;
        default: return false;
    }
}

}  // namespace amapiano::compose
