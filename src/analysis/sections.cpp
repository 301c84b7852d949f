#include "analysis/sections.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

namespace amapiano::analysis {
namespace {

constexpr int kDims = kBandCount + 2;  // band levels, overall level, movement inside the bar
constexpr int kWindowBars = 4;         // half a phrase either side: a 4-bar breakdown still stands out
constexpr int kMinSectionBars = 4;
constexpr double kPickupS = 0.1;
constexpr double kMinNovelty = 1.0;
constexpr double kShareOfStrongest = 0.3;
constexpr double kBlockSecondsWithoutTempo = 4.0;
constexpr double kSilentDb = -90.0;
constexpr double kQuieterDb = 3.0;  // intro/outro: this much below the loudest section
constexpr double kLowDropDb = 9.0;  // breakdown: the low end this much below the loudest section's

using Vector = std::array<double, kDims>;

struct Bar final {
    double start_s = 0.0, end_s = 0.0;
    Vector features{};
    double level_db = -120.0;
    double low_db = -120.0;
};

double DbMean(std::span<const double> db) {
    double power = 0.0;
    for (double v : db) power += std::pow(10.0, v / 10.0);
    return 10.0 * std::log10(std::max(power / double(std::max<size_t>(1, db.size())), 1e-12));
}

struct BarGrid final {
    std::vector<double> starts;
    bool pickup = false;  // the audio before the first whole bar is a partial bar -1
};

// Bar starts from the downbeats. Where the beat tracker found no downbeats yet (a sparse intro, a
// fade-out), the bar grid is continued at the median bar length, so that bar numbers count from the
// start of the music; without downbeats, fixed blocks.
BarGrid BarStarts(std::span<const double> downbeats_s, double duration_s) {
    BarGrid grid;
    if (downbeats_s.size() >= 2) {
        std::vector<double> gaps;
        for (size_t i = 1; i < downbeats_s.size(); ++i) gaps.push_back(downbeats_s[i] - downbeats_s[i - 1]);
        std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
        const double bar_s = gaps[gaps.size() / 2];
        double first = downbeats_s.front();
        while (bar_s > 0.0 && first - bar_s >= -kPickupS) first -= bar_s;
        first = std::max(first, 0.0);
        grid.pickup = first > kPickupS;
        grid.starts.push_back(0.0);
        if (grid.pickup) grid.starts.push_back(first);
        for (double t = first + bar_s; t < downbeats_s.front() - kPickupS; t += bar_s)
            grid.starts.push_back(t);
        for (double t : downbeats_s) {
            if (t > grid.starts.back() + kPickupS) grid.starts.push_back(t);
        }
        for (double t = grid.starts.back() + bar_s; t < duration_s - kPickupS; t += bar_s)
            grid.starts.push_back(t);
    } else {
        for (double t = 0.0; t < duration_s; t += kBlockSecondsWithoutTempo) grid.starts.push_back(t);
    }
    return grid;
}

std::vector<Bar> DescribeBars(std::span<const FrameSummary> frames, const std::vector<double>& starts,
                              double duration_s) {
    std::vector<Bar> bars;
    for (size_t b = 0; b < starts.size(); ++b) {
        Bar bar;
        bar.start_s = starts[b];
        bar.end_s = b + 1 < starts.size() ? starts[b + 1] : duration_s;
        const int first = std::max(0, int(std::ceil(bar.start_s * kFrameRateHz)));
        const int last = std::min(int(frames.size()), int(std::ceil(bar.end_s * kFrameRateHz)));
        if (last <= first) continue;
        std::vector<double> values(static_cast<size_t>(last - first));
        for (int d = 0; d < kBandCount; ++d) {
            for (int i = first; i < last; ++i)
                values[size_t(i - first)] = frames[size_t(i)].band_db[size_t(d)];
            bar.features[size_t(d)] = std::max(DbMean(values), -100.0);
        }
        for (int i = first; i < last; ++i) values[size_t(i - first)] = frames[size_t(i)].total_db;
        bar.level_db = DbMean(values);
        bar.features[kBandCount] = std::max(bar.level_db, -100.0);
        double mean = 0.0, spread = 0.0;
        for (double v : values) mean += std::max(v, -100.0);
        mean /= double(values.size());
        for (double v : values) spread += std::abs(std::max(v, -100.0) - mean);
        bar.features[kBandCount + 1] = spread / double(values.size());
        for (int i = first; i < last; ++i) values[size_t(i - first)] = frames[size_t(i)].low_db;
        bar.low_db = DbMean(values);
        bars.push_back(bar);
    }
    return bars;
}

// Novelty at each bar boundary: distance between the means of the windows either side, with each
// dimension scaled by its spread over the track.
std::vector<double> Novelty(const std::vector<Bar>& bars) {
    const int n = int(bars.size());
    Vector scale{};
    for (int d = 0; d < kDims; ++d) {
        double mean = 0.0, var = 0.0;
        for (const Bar& bar : bars) mean += bar.features[size_t(d)];
        mean /= n;
        for (const Bar& bar : bars)
            var += (bar.features[size_t(d)] - mean) * (bar.features[size_t(d)] - mean);
        scale[size_t(d)] = 1.0 / std::max(std::sqrt(var / n), 1.0);  // differences under ~1 dB don't count
    }
    std::vector<double> novelty(static_cast<size_t>(n), 0.0);
    for (int b = 1; b < n; ++b) {
        const int w = std::min({kWindowBars, b, n - b});
        double distance = 0.0;
        for (int d = 0; d < kDims; ++d) {
            double before = 0.0, after = 0.0;
            for (int k = 0; k < w; ++k) {
                before += bars[size_t(b - 1 - k)].features[size_t(d)];
                after += bars[size_t(b + k)].features[size_t(d)];
            }
            const double diff = (after - before) / w * scale[size_t(d)];
            distance += diff * diff;
        }
        novelty[size_t(b)] = std::sqrt(distance);
    }
    return novelty;
}

// Phrases in dance music are 4, 8 and 16 bars long: a change on a phrase line counts in full, one
// between phrase lines is discounted (bar 0 is the first whole bar).
double PhraseWeight(int bar, int first_bar) {
    const int in_phrase = bar - first_bar;
    if (in_phrase % 8 == 0) return 1.0;
    if (in_phrase % 4 == 0) return 0.8;
    return 0.5;
}

std::vector<int> Boundaries(const std::vector<double>& novelty, int first_bar) {
    const int n = int(novelty.size());
    std::vector<double> score(novelty.size(), 0.0);
    double strongest = 0.0;
    // Changes within two bars of either end cannot start a section (and a silent tail after the
    // music must not set the scale for the rest).
    const int lo = kMinSectionBars / 2, hi = n - kMinSectionBars / 2;
    for (int b = lo; b <= hi; ++b) {
        score[size_t(b)] = novelty[size_t(b)] * PhraseWeight(b, first_bar);
        strongest = std::max(strongest, score[size_t(b)]);
    }
    // A boundary is a clear change (about one spread of the track's bar features or more) and not
    // much weaker than the track's biggest change.
    const double threshold = std::max(kMinNovelty, kShareOfStrongest * strongest);
    std::vector<int> order(static_cast<size_t>(std::max(0, n - 1)));
    std::iota(order.begin(), order.end(), 1);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return score[size_t(a)] > score[size_t(b)]; });
    std::vector<int> chosen;
    for (int b : order) {
        if (score[size_t(b)] < threshold) break;
        if (b < lo || b > hi) continue;
        const bool clear = std::all_of(chosen.begin(), chosen.end(),
                                       [&](int c) { return std::abs(c - b) >= kMinSectionBars; });
        if (clear) chosen.push_back(b);
    }
    std::sort(chosen.begin(), chosen.end());
    return chosen;
}

}  // namespace

std::vector<Section> FindSections(std::span<const FrameSummary> frames, std::span<const double> downbeats_s,
                                  double duration_s) {
    std::vector<Section> sections;
    if (duration_s <= 0.0 || frames.empty()) return sections;
    const BarGrid grid = BarStarts(downbeats_s, duration_s);
    const std::vector<Bar> bars = DescribeBars(frames, grid.starts, duration_s);
    if (bars.empty()) return sections;
    // A first bar starting within the first tenth of a second is bar 0; later, the audio before it is a
    // partial bar -1 (a pickup).
    const int first_bar_offset = grid.pickup ? -1 : 0;

    // Bar index of the first whole bar (the partial bar before the first downbeat is bar -1).
    const int first_whole_bar = -first_bar_offset;
    std::vector<int> cuts = Boundaries(Novelty(bars), first_whole_bar);
    cuts.insert(cuts.begin(), 0);
    cuts.push_back(int(bars.size()));
    std::vector<double> level, low;
    for (size_t s = 0; s + 1 < cuts.size(); ++s) {
        Section section;
        section.start_s = bars[size_t(cuts[s])].start_s;
        section.end_s = bars[size_t(cuts[s + 1] - 1)].end_s;
        section.start_bar = cuts[s] + first_bar_offset;
        section.bars = cuts[s + 1] - cuts[s];
        std::vector<double> levels, lows;
        for (int b = cuts[s]; b < cuts[s + 1]; ++b) {
            levels.push_back(bars[size_t(b)].level_db);
            lows.push_back(bars[size_t(b)].low_db);
        }
        level.push_back(DbMean(levels));
        low.push_back(DbMean(lows));
        sections.push_back(section);
    }
    const double loudest = *std::max_element(level.begin(), level.end());
    const double deepest_low = *std::max_element(low.begin(), low.end());
    if (loudest < kSilentDb) {
        Section whole{0.0, duration_s, 0, int(bars.size()), "silence"};
        return {whole};
    }
    // Full sections carry the track's level and low end; before the first one is the intro, after
    // the last one the outro, and a section in between without the low end is a breakdown.
    std::vector<bool> full(sections.size());
    for (size_t s = 0; s < sections.size(); ++s) {
        full[s] = level[s] >= loudest - kQuieterDb && low[s] >= deepest_low - kLowDropDb;
    }
    const auto first_full = size_t(std::find(full.begin(), full.end(), true) - full.begin());
    const auto last_full =
        sections.size() - 1 - size_t(std::find(full.rbegin(), full.rend(), true) - full.rbegin());
    for (size_t s = 0; s < sections.size(); ++s) {
        if (sections.size() > 1 && s < first_full) {
            sections[s].label = "intro";
        } else if (sections.size() > 1 && s > last_full) {
            sections[s].label = "outro";
        } else if (!full[s]) {
            sections[s].label = "breakdown";
        } else {
            sections[s].label = "main";
        }
    }
    // An intro or outro that builds up or winds down in steps is still one intro or outro; so is a
    // breakdown in two halves.
    std::vector<Section> merged;
    for (Section& section : sections) {
        if (!merged.empty() && merged.back().label == section.label && section.label != "main") {
            merged.back().end_s = section.end_s;
            merged.back().bars += section.bars;
        } else {
            merged.push_back(std::move(section));
        }
    }
    sections = std::move(merged);
    return sections;
}

}  // namespace amapiano::analysis
