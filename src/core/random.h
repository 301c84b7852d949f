// Rng: the one seeded pseudo-random generator the engine passes down.
//
// Determinism is a product feature (same spec + seed => bit-identical audio), so the engine never
// uses rand(), time, or std::uniform_*_distribution (whose output differs between standard
// libraries). Rng is SplitMix64-seeded xoshiro256**, with its own portable float/int helpers.
// Fork() derives an independent stream so that adding draws in one part of the composer does not
// shift every other part.
//
//   Rng rng(seed);
//   Rng drums = rng.Fork("drums");
//   if (drums.Chance(0.3)) ...
#pragma once

#include <cstdint>
#include <string_view>

namespace amapiano {

class Rng final {
public:
    explicit Rng(uint64_t seed);

    uint64_t NextU64();
    // Uniform in [0, 1).
    double Uniform();
    // Uniform in [lo, hi).
    double Uniform(double lo, double hi);
    // Uniform integer in [lo, hi] (inclusive). Requires lo <= hi.
    int Int(int lo, int hi);
    // True with probability p.
    bool Chance(double p);
    // Approximately normal (sum of uniforms), mean 0, standard deviation 1, bounded to +-3.
    double Gaussian();
    // Index drawn with probability proportional to weights[i]; weights must not all be zero.
    template <typename Container>
    size_t Weighted(const Container& weights) {
        double total = 0.0;
        for (double w : weights) total += w;
        double r = Uniform() * total;
        size_t i = 0;
        for (double w : weights) {
            if (r < w) return i;
            r -= w;
            ++i;
        }
        return i == 0 ? 0 : i - 1;
    }
    // An independent generator whose seed depends on this one's seed and the label.
    Rng Fork(std::string_view label) const;

private:
    uint64_t seed_;
    uint64_t s_[4];
};

}  // namespace amapiano
