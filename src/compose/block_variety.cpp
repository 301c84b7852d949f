#include "compose/block_variety.h"

#include <algorithm>

namespace amapiano::compose {

BlockSignature SignatureOfBlock(const PartEvents& parts, int block) {
    const int64_t first = static_cast<int64_t>(block) * kBlockBars * kStepsPerBar;
    const int64_t last = first + kBlockBars * kStepsPerBar;
    BlockSignature signature;
    for (const auto& [instrument, events] : parts) {
        for (const NoteEvent& event : events) {
            if (event.step >= first && event.step < last) {
                signature.emplace_back(static_cast<int>(instrument), event.step - first, event.pitch);
            }
        }
    }
    std::sort(signature.begin(), signature.end());
    return signature;
}

int EnsureBlockVariety(int bars, const std::set<Instrument>& band, PartEvents& parts) {
    const int blocks = bars / kBlockBars;
    struct Ornament {
        Instrument instrument;
        int step;  // within the block's last bar
        int pitch;
    };
    static constexpr Ornament kOrnaments[] = {{Instrument::kRim, 15, 76},  {Instrument::kRim, 13, 77},
                                              {Instrument::kPerc, 15, 63}, {Instrument::kPerc, 14, 64},
                                              {Instrument::kRim, 11, 37},  {Instrument::kPerc, 11, 62},
                                              {Instrument::kHats, 14, 46}, {Instrument::kShaker, 15, 70}};
    std::vector<BlockSignature> seen;
    int added = 0;
    for (int block = 0; block < blocks; ++block) {
        BlockSignature signature = SignatureOfBlock(parts, block);
        size_t next = 0;
        while (std::find(seen.begin(), seen.end(), signature) != seen.end() && next < std::size(kOrnaments)) {
            const Ornament& o = kOrnaments[next++];
            if (band.count(o.instrument) == 0) continue;
            const int64_t step = (static_cast<int64_t>(block + 1) * kBlockBars - 1) * kStepsPerBar + o.step;
            auto& events = parts[o.instrument];
            const bool taken = std::any_of(events.begin(), events.end(), [&](const NoteEvent& e) {
                return e.step == step && e.pitch == o.pitch;
            });
            if (taken) continue;
            events.push_back(GridEvent(step, 1.0, o.pitch, 0.5));
            ++added;
            signature = SignatureOfBlock(parts, block);
        }
        seen.push_back(std::move(signature));
    }
    return added;
}

}  // namespace amapiano::compose
