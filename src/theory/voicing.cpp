#include "theory/voicing.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace amapiano::theory {
namespace {

constexpr int kMaxSpan = 21;  // an octave and a sixth: wider sounds like two hands apart

// Distance between two voicings: sorted voices paired in order; unmatched voices cost their
// distance to the nearest voice of the other chord.
int Movement(const std::vector<int>& a, const std::vector<int>& b) {
    int cost = 0;
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) cost += std::abs(a[i] - b[i]);
    const std::vector<int>& longer = a.size() > b.size() ? a : b;
    const std::vector<int>& shorter = a.size() > b.size() ? b : a;
    for (size_t i = n; i < longer.size(); ++i) {
        int best = std::numeric_limits<int>::max();
        for (int note : shorter) best = std::min(best, std::abs(note - longer[i]));
        if (!shorter.empty()) cost += best;
    }
    return cost;
}

void Enumerate(const std::vector<int>& pcs, size_t index, int low, int high, std::vector<int>& current,
               std::vector<std::vector<int>>& out) {
    if (index == pcs.size()) {
        if (current.empty()) return;
        std::vector<int> sorted = current;
        std::sort(sorted.begin(), sorted.end());
        if (sorted.back() - sorted.front() <= kMaxSpan) out.push_back(std::move(sorted));
        return;
    }
    for (int note = low; note <= high; ++note) {
        if (PitchClass(note) != PitchClass(pcs[index])) continue;
        if (std::find(current.begin(), current.end(), note) != current.end()) continue;
        current.push_back(note);
        Enumerate(pcs, index + 1, low, high, current, out);
        current.pop_back();
    }
}

}  // namespace

std::vector<int> KeysPitchClasses(const Chord& chord) {
    const std::vector<int>& intervals = ChordIntervals(chord.quality);
    std::vector<int> tones;
    if (intervals.size() <= 4 && (intervals.size() <= 3 || chord.quality == ChordQuality::kSeventhSus4)) {
        tones = intervals;
    } else {
        // Rootless: drop the root, then the fifth, until four remain.
        for (size_t i = 1; i < intervals.size(); ++i) tones.push_back(intervals[i]);
        if (tones.size() > 4) tones.erase(std::remove(tones.begin(), tones.end(), 7), tones.end());
        while (tones.size() > 4) tones.pop_back();
        if (tones.size() < 3) tones.insert(tones.begin(), 0);
    }
    std::vector<int> pcs;
    for (int t : tones) pcs.push_back(PitchClass(chord.root_pc + t));
    return pcs;
}

std::vector<int> PadPitchClasses(const Chord& chord) {
    std::vector<int> pcs;
    for (int t : ChordIntervals(chord.quality)) {
        if (pcs.size() == 5) break;
        const int pc = PitchClass(chord.root_pc + t);
        if (std::find(pcs.begin(), pcs.end(), pc) == pcs.end()) pcs.push_back(pc);
    }
    return pcs;
}

std::vector<int> VoiceLead(const std::vector<int>& pitch_classes, const std::vector<int>& previous, int low,
                           int high) {
    std::vector<std::vector<int>> candidates;
    std::vector<int> current;
    Enumerate(pitch_classes, 0, low, high, current, candidates);
    if (candidates.empty()) {
        // Range too narrow for the span limit: stack upwards from the bottom.
        std::vector<int> stacked;
        for (int pc : pitch_classes) stacked.push_back(NearestNote(pc, low + 6));
        std::sort(stacked.begin(), stacked.end());
        return stacked;
    }
    const double centre = (low + high) / 2.0;
    const std::vector<int>* best = nullptr;
    double best_cost = std::numeric_limits<double>::max();
    for (const std::vector<int>& candidate : candidates) {
        double mean = 0.0;
        for (int note : candidate) mean += note;
        mean /= static_cast<double>(candidate.size());
        // Movement dominates; the pull towards the centre keeps a long progression from drifting
        // to an edge of the range, and compact voicings are preferred.
        double cost = std::abs(mean - centre) * (previous.empty() ? 4.0 : 0.35) +
                      0.15 * (candidate.back() - candidate.front());
        if (!previous.empty()) cost += Movement(candidate, previous);
        if (cost < best_cost) {
            best_cost = cost;
            best = &candidate;
        }
    }
    return *best;
}

int NearestNote(int pitch_class, int target) {
    const int down = target - PitchClass(target - pitch_class);
    const int up = down + 12;
    return (target - down) <= (up - target) ? down : up;
}

}  // namespace amapiano::theory
