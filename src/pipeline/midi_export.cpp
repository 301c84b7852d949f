#include "pipeline/midi_export.h"

#include <algorithm>
#include <cmath>

namespace amapiano::pipeline {
namespace {

using compose::Instrument;

constexpr int kDrumChannel = 9;

// General MIDI programs (0-based) closest to our own instruments, so a DAW opening the file hears
// something sensible before the producer assigns their own sounds.
int GeneralMidiProgram(Instrument instrument) {
    switch (instrument) {
        case Instrument::kLogDrum: return 118;  // Synth Drum
        case Instrument::kKeys: return 4;       // Electric Piano 1
        case Instrument::kPad: return 89;       // Pad 2 (warm)
        case Instrument::kBass: return 38;      // Synth Bass 1
        case Instrument::kLead: return 65;      // Alto Sax
        default: return -1;
    }
}

}  // namespace

audio::MidiSong ScoreToMidi(const compose::Score& score) {
    audio::MidiSong song;
    song.bpm = score.bpm;
    song.key_accidentals = theory::KeySignatureAccidentals(score.key);
    song.minor = score.key.mode == theory::Mode::kMinor;
    int next_channel = 0;
    for (const compose::Track& track : score.tracks) {
        audio::MidiTrack midi;
        midi.name = std::string(compose::InstrumentName(track.instrument));
        if (compose::IsDrum(track.instrument)) {
            midi.channel = kDrumChannel;
        } else {
            if (next_channel == kDrumChannel) ++next_channel;
            midi.channel = std::min(next_channel++, 15);
            midi.program = GeneralMidiProgram(track.instrument);
        }
        midi.notes.reserve(track.events.size());
        for (const compose::NoteEvent& event : track.events) {
            const int velocity = std::clamp(static_cast<int>(std::lround(event.velocity * 127.0f)), 1, 127);
            midi.notes.push_back(
                {event.start_beats, event.duration_beats, std::clamp(event.pitch, 0, 127), velocity});
        }
        song.tracks.push_back(std::move(midi));
    }
    return song;
}

}  // namespace amapiano::pipeline
