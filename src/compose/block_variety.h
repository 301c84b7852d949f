// Block variety: no two 8-bar blocks of a full track may be identical.
//
// Blocks are compared on their un-humanised content (instrument, step within the block, pitch).
// The part writers already vary their material per block (new placements, rhythms, fills); this
// pass is the guarantee: a block that still repeats an earlier one gains a small ornament
// (a woodblock, rim or conga answer on the last off-beats of its last bar) until it is distinct.
#pragma once

#include <cstdint>
#include <set>
#include <tuple>
#include <vector>

#include "compose/compose_context.h"

namespace amapiano::compose {

inline constexpr int kBlockBars = 8;

using BlockSignature = std::vector<std::tuple<int, int64_t, int>>;  // instrument, step in block, pitch

BlockSignature SignatureOfBlock(const PartEvents& parts, int block);

// Returns the number of ornaments added.
int EnsureBlockVariety(int bars, const std::set<Instrument>& band, PartEvents& parts);

}  // namespace amapiano::compose
