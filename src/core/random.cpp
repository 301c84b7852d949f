#include "core/random.h"

#include <algorithm>

namespace amapiano {
namespace {

uint64_t SplitMix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// FNV-1a: stable across platforms, unlike std::hash.
uint64_t HashLabel(std::string_view label) {
    uint64_t h = 0xCBF29CE484222325ULL;
    for (unsigned char c : label) {
        h ^= c;
        h *= 0x100000001B3ULL;
    }
    return h;
}

}  // namespace

Rng::Rng(uint64_t seed) : seed_(seed) {
    uint64_t x = seed;
    for (uint64_t& s : s_) s = SplitMix64(x);
}

uint64_t Rng::NextU64() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
}

double Rng::Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

double Rng::Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

int Rng::Int(int lo, int hi) {
    const uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo) + 1;
    return lo + static_cast<int>(NextU64() % span);
}

bool Rng::Chance(double p) { return Uniform() < p; }

double Rng::Gaussian() {
    // Irwin-Hall with 12 terms: mean 6, variance 1.
    double sum = 0.0;
    for (int i = 0; i < 12; ++i) sum += Uniform();
    return std::clamp(sum - 6.0, -3.0, 3.0);
}

Rng Rng::Fork(std::string_view label) const { return Rng(seed_ ^ Rotl(HashLabel(label), 17)); }

}  // namespace amapiano
