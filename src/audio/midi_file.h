// Standard MIDI File (format 1) encoding: a tempo/key/time-signature conductor track plus one
// named track per part.
//
// The format is small and fixed (SMF 1.0); the Debian MIDI-file libraries (libsmf) are
// unmaintained, so we encode it here and check the result with an independent parser (Python's
// mido) in tests/integration.
//
//   MidiSong song{.bpm = 112, .key_accidentals = 3, .minor = true};
//   song.tracks.push_back({.name = "log-drum", .channel = 1, .program = 38, .notes = {...}});
//   Status s = WriteMidiFile("out.mid", song);
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"

namespace amapiano::audio {

struct MidiNote final {
    double start_beats = 0.0;
    double duration_beats = 0.25;
    int pitch = 60;      // 0..127
    int velocity = 100;  // 1..127
};

struct MidiTrack final {
    std::string name{};
    int channel = 0;   // 0..15; 9 is General MIDI percussion
    int program = -1;  // General MIDI program 0..127, or -1 for none
    std::vector<MidiNote> notes{};
};

struct MidiSong final {
    double bpm = 112.0;
    int key_accidentals = 0;  // -7 (7 flats) .. 7 (7 sharps)
    bool minor = true;
    int ticks_per_beat = 480;
    std::vector<MidiTrack> tracks{};
};

// The bytes of a format-1 SMF. Notes are quantised to ticks; overlapping notes of the same pitch on
// a channel are ended before they are restarted.
std::vector<uint8_t> EncodeMidi(const MidiSong& song);

// Encodes and writes atomically (temp + rename). Errors: kIo.
Status WriteMidiFile(const std::filesystem::path& path, const MidiSong& song);

}  // namespace amapiano::audio
