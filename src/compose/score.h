// Score: the composed piece — timed note and drum events per instrument, sections, tempo and key.
//
// Produced by the composer (deterministic for a spec and seed), consumed by the synthesisers, the
// MIDI writer, and later the validator. Times are in beats (quarter notes) from the start of the
// piece at a constant tempo; frame positions are derived by the renderer (seconds = beats * 60 / bpm).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compose/generation_spec.h"
#include "compose/instrument.h"
#include "theory/key.h"

namespace amapiano::compose {

inline constexpr int kBeatsPerBar = 4;
inline constexpr int kStepsPerBeat = 4;  // 16th-note grid
inline constexpr int kStepsPerBar = kBeatsPerBar * kStepsPerBeat;

struct NoteEvent final {
    int64_t step = 0;          // grid position (16ths from the start), before swing and micro-timing
    double start_beats = 0.0;  // performed onset in beats: grid + swing + micro-timing, >= 0
    double duration_beats = 0.25;
    int pitch = 60;         // MIDI note; for drums, the General MIDI percussion note (kick 36, ...)
    float velocity = 0.8f;  // 0..1
};

struct Track final {
    Instrument instrument = Instrument::kKeys;
    std::vector<NoteEvent> events;  // sorted by start_beats
};

struct Section final {
    std::string name;   // "intro", "log-drum-entry", "groove", "breakdown", "re-entry", "outro", "loop"
    int start_bar = 0;  // 0-based
    int bars = 8;
    float energy = 0.5f;
};

// One chord of the harmonic plan, for analysis, validation and lessons.
struct ChordSpan final {
    double start_beats = 0.0;
    double duration_beats = 4.0;
    int root_pc = 0;
    std::string symbol;  // e.g. "F#m9", "Dmaj7", "C#7sus4"
};

// Sound-design parameters the composer picks from the style profile; the synthesisers read them.
struct SoundDesign final {
    double log_drum_decay_s = 0.35;        // amplitude decay time constant
    double log_drum_pitch_drop_st = 18.0;  // semitones above the note where the pitch envelope starts
    double log_drum_pitch_time_s = 0.025;  // time for the pitch envelope to fall
    double log_drum_glide_s = 0.06;        // portamento when notes overlap
    double log_drum_drive = 1.5;           // saturation amount (tanh input gain)
    double log_drum_cutoff_hz = 1800.0;    // low-pass after saturation
    double kick_decay_s = 0.12;
    double keys_brightness = 0.5;  // 0 dark/mellow .. 1 bright
    double reverb_amount = 0.5;    // 0..1
};

struct Score final {
    GenerationSpec spec;  // the request, as given
    Subgenre subgenre = Subgenre::kClassic;
    double bpm = 112.0;
    theory::Key key;
    int bars = 0;             // musical length; the rendered length adds `tail_beats`
    double tail_beats = 0.0;  // room for the last notes to ring out (0 for loops: they wrap)
    double swing_percent = 55.0;
    bool is_loop = false;  // loops are rendered so their end flows seamlessly into their start
    LoopPart loop = LoopPart::kNone;
    SoundDesign sound;
    std::vector<Section> sections;
    std::vector<ChordSpan> harmony;
    std::vector<Track> tracks;  // only instruments that play; at most one track per instrument

    double LengthBeats() const { return bars * kBeatsPerBar + tail_beats; }
    double SecondsPerBeat() const { return 60.0 / bpm; }
};

}  // namespace amapiano::compose
