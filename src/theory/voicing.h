// Voicings and voice-leading: which notes of a chord the keys and pads play, and where.
//
//   std::vector<int> pcs = KeysPitchClasses(chord);            // rootless colour tones, <= 4
//   std::vector<int> v = VoiceLead(pcs, previous, 52, 76);     // closest voicing to `previous`
//
// VoiceLead enumerates every placement of the pitch classes inside [low, high] and keeps the one
// that moves least from the previous voicing (sum of distances between sorted voices), so chord
// changes sound like a pianist's hands rather than parallel blocks.
#pragma once

#include <vector>

#include "theory/chord.h"

namespace amapiano::theory {

// Colour tones for stabs: jazz-style rootless voicing (the bass/log drum has the root) of at most
// four pitch classes; triads and sus chords keep their root.
std::vector<int> KeysPitchClasses(const Chord& chord);

// All chord tones (root first), at most five pitch classes: for pads that sit under the stabs.
std::vector<int> PadPitchClasses(const Chord& chord);

// MIDI notes (ascending), one per pitch class, inside [low, high], spanning at most an octave and a
// sixth, chosen to minimise movement from `previous` (or to sit near the middle of the range when
// `previous` is empty). Requires high - low >= 12.
std::vector<int> VoiceLead(const std::vector<int>& pitch_classes, const std::vector<int>& previous, int low,
                           int high);

// The MIDI note with pitch class `pitch_class` nearest to `target` (ties go down).
int NearestNote(int pitch_class, int target);

}  // namespace amapiano::theory
