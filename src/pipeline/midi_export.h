// Score -> MidiSong: one named track per part (General MIDI programs for melodic parts, channel 10
// for drums), tempo and key signature from the score.
#pragma once

#include "audio/midi_file.h"
#include "compose/score.h"

namespace amapiano::pipeline {

audio::MidiSong ScoreToMidi(const compose::Score& score);

}  // namespace amapiano::pipeline
