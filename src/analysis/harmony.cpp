#include "analysis/harmony.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace amapiano::analysis {
namespace {

constexpr int kBlockFrames = 43;  // ~0.5 s of SpectralFrames frames
constexpr int kFrameStride = 4;   // every 4th frame (46 ms apart) is plenty for chords
constexpr double kSegmentSecondsWithoutTempo = 0.5;
// Profile bins below this (of the maximum) are leakage, reverb and percussion, not chord tones.
constexpr double kProfileFloor = 0.15;

HpcpOptions ChordHpcpOptions() {
    HpcpOptions options;
    options.min_hz = 100.0;  // above the log drum's and kick's fundamentals (their harmonics still count)
    options.max_hz = 4000.0;
    return options;
}

struct Template final {
    const char* quality;
    std::initializer_list<int> intervals;
    bool extended;
};

constexpr Template kTemplates[] = {
    {"maj", {0, 4, 7}, false},          {"m", {0, 3, 7}, false},       {"sus4", {0, 5, 7}, false},
    {"dim", {0, 3, 6}, false},          {"aug", {0, 4, 8}, false},     {"maj7", {0, 4, 7, 11}, true},
    {"7", {0, 4, 7, 10}, true},         {"m7", {0, 3, 7, 10}, true},   {"m7b5", {0, 3, 6, 10}, true},
    {"7sus4", {0, 5, 7, 10}, true},     {"add9", {0, 2, 4, 7}, true},  {"madd9", {0, 2, 3, 7}, true},
    {"maj9", {0, 2, 4, 7, 11}, true},   {"9", {0, 2, 4, 7, 10}, true}, {"m9", {0, 2, 3, 7, 10}, true},
    {"m11", {0, 2, 3, 5, 7, 10}, true},
};

}  // namespace

ChordFit FitChord(const std::array<double, 12>& chroma) {
    ChordFit best;
    const double peak = *std::max_element(chroma.begin(), chroma.end());
    if (!(peak > 0.0)) return best;
    std::array<double, 12> profile{};
    double norm = 0.0;
    for (int pc = 0; pc < 12; ++pc) {
        profile[size_t(pc)] = std::max(0.0, chroma[size_t(pc)] / peak - kProfileFloor);
        norm += profile[size_t(pc)] * profile[size_t(pc)];
    }
    norm = std::sqrt(norm);
    if (norm <= 0.0) return best;
    best.similarity = -1.0;
    for (const Template& t : kTemplates) {
        const double t_norm = std::sqrt(double(t.intervals.size()));
        for (int root = 0; root < 12; ++root) {
            double dot = 0.0;
            for (int interval : t.intervals) dot += profile[size_t((root + interval) % 12)];
            const double similarity = dot / (norm * t_norm);
            double& kind_best = t.extended ? best.extended_similarity : best.triad_similarity;
            kind_best = std::max(kind_best, similarity);
            if (similarity > best.similarity) {
                best.similarity = similarity;
                best.root = root;
                best.quality = t.quality;
                best.tones = int(t.intervals.size());
                best.extended = t.extended;
            }
        }
    }
    return best;
}

HarmonyAnalyzer::HarmonyAnalyzer() : block_(ChordHpcpOptions()) {}

void HarmonyAnalyzer::AddFrame(const SpectrumView& frame) {
    if (frame.index % kFrameStride == 0) block_.AddSpectrum(frame.magnitude);
    if (++frames_in_block_ == kBlockFrames) CloseBlock();
}

void HarmonyAnalyzer::CloseBlock() {
    const std::array<double, 12> chroma = block_.Chroma(block_.TuningHz());
    std::array<float, 12> stored{};
    for (size_t pc = 0; pc < 12; ++pc) stored[pc] = float(chroma[pc]);
    blocks_.push_back(stored);
    block_ = HpcpAccumulator(ChordHpcpOptions());
    frames_in_block_ = 0;
}

std::array<double, 12> HarmonyAnalyzer::ChromaBetween(double start_s, double end_s) const {
    std::array<double, 12> sum{};
    // Blocks are evenly spaced: only those around [start_s, end_s) can have their centre inside it.
    const double blocks_per_s = kFrameRateHz / kBlockFrames;
    const auto first = size_t(std::max(0.0, std::floor(start_s * blocks_per_s - 0.5)));
    const auto last = std::min(blocks_.size(), size_t(std::max(0.0, std::ceil(end_s * blocks_per_s + 0.5))));
    for (size_t b = first; b < last; ++b) {
        const double centre_s = (double(b) + 0.5) * kBlockFrames / kFrameRateHz;
        if (centre_s < start_s || centre_s >= end_s) continue;
        for (size_t pc = 0; pc < 12; ++pc) sum[pc] += blocks_[b][pc];
    }
    const double peak = *std::max_element(sum.begin(), sum.end());
    if (peak > 0.0) {
        for (double& v : sum) v /= peak;
    }
    return sum;
}

HarmonyResult HarmonyAnalyzer::Finish(std::span<const double> segment_starts_s, double duration_s) const {
    std::vector<double> starts;
    if (segment_starts_s.size() >= 2) {
        const double block_s = kBlockFrames / kFrameRateHz;
        if (segment_starts_s.front() > block_s) starts.push_back(0.0);
        starts.insert(starts.end(), segment_starts_s.begin(), segment_starts_s.end());
    } else {
        for (double t = 0.0; t < duration_s; t += kSegmentSecondsWithoutTempo) starts.push_back(t);
    }
    HarmonyResult result;
    int tonal = 0, extended = 0, tones = 0;
    for (size_t s = 0; s < starts.size(); ++s) {
        const double end_s = s + 1 < starts.size() ? starts[s + 1] : duration_s;
        const ChordFit fit = FitChord(ChromaBetween(starts[s], end_s));
        if (fit.similarity <= 0.0) continue;
        ++result.segments;
        if (fit.similarity < kTonalSimilarity) continue;
        ++tonal;
        tones += fit.tones;
        if (fit.extended) ++extended;
    }
    if (result.segments > 0) result.tonal_share = double(tonal) / result.segments;
    if (tonal > 0) {
        result.extended_share = double(extended) / tonal;
        result.mean_tones = double(tones) / tonal;
    }
    return result;
}

}  // namespace amapiano::analysis
