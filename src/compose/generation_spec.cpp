#include "compose/generation_spec.h"

namespace amapiano::compose {

std::string_view SubgenreName(Subgenre subgenre) {
    switch (subgenre) {
        case Subgenre::kClassic: return "classic";
        case Subgenre::kPrivateSchool: return "private-school";
        case Subgenre::kBacardi: return "bacardi";
        case Subgenre::kSgija: return "sgija";
    }
    return "classic";
}

std::optional<Subgenre> ParseSubgenre(std::string_view name) {
    for (Subgenre subgenre : kAllSubgenres) {
        if (SubgenreName(subgenre) == name) return subgenre;
    }
    return std::nullopt;
}

std::string_view LoopPartName(LoopPart part) {
    switch (part) {
        case LoopPart::kNone: return "none";
        case LoopPart::kLogDrum: return "log-drum";
        case LoopPart::kPiano: return "piano";
        case LoopPart::kDrums: return "drums";
        case LoopPart::kBass: return "bass";
        case LoopPart::kFull: return "full";
    }
    return "none";
}

std::optional<LoopPart> ParseLoopPart(std::string_view name) {
    for (LoopPart part :
         {LoopPart::kLogDrum, LoopPart::kPiano, LoopPart::kDrums, LoopPart::kBass, LoopPart::kFull}) {
        if (LoopPartName(part) == name) return part;
    }
    return std::nullopt;
}

}  // namespace amapiano::compose
