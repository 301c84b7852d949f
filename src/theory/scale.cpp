#include "theory/scale.h"

namespace amapiano::theory {
namespace {

constexpr std::array<int, 7> kMajorSteps = {0, 2, 4, 5, 7, 9, 11};
constexpr std::array<int, 7> kMinorSteps = {0, 2, 3, 5, 7, 8, 10};

}  // namespace

const std::array<int, 7>& ScaleSteps(Mode mode) { return mode == Mode::kMajor ? kMajorSteps : kMinorSteps; }

int DegreePitchClass(const Key& key, int degree) {
    const int wrapped = ((degree % 7) + 7) % 7;
    return PitchClass(key.tonic_pc + ScaleSteps(key.mode)[wrapped]);
}

bool InScale(const Key& key, int pitch_class) {
    for (int step : ScaleSteps(key.mode)) {
        if (PitchClass(key.tonic_pc + step) == PitchClass(pitch_class)) return true;
    }
    return false;
}

std::array<int, 5> PentatonicPitchClasses(const Key& key) {
    static constexpr std::array<int, 5> kMajorPenta = {0, 2, 4, 7, 9};
    static constexpr std::array<int, 5> kMinorPenta = {0, 3, 5, 7, 10};
    const auto& steps = key.mode == Mode::kMajor ? kMajorPenta : kMinorPenta;
    std::array<int, 5> out{};
    for (size_t i = 0; i < steps.size(); ++i) out[i] = PitchClass(key.tonic_pc + steps[i]);
    return out;
}

}  // namespace amapiano::theory
