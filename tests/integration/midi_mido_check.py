#!/usr/bin/env python3
"""Opens amapiano's MIDI output with an independent parser (mido) and checks what a DAW relies on:
format 1, one named track per part, the tempo, the key signature and the notes."""
import os
import subprocess
import sys
import tempfile

import mido

EXPECTED_TRACKS = {"log-drum", "kick", "shaker", "clap", "hats", "rim", "perc", "keys", "pad", "bass", "lead"}


def check(binary, workdir, subgenre, bpm, key, mido_key):
    mid_path = os.path.join(workdir, f"{subgenre}.mid")
    wav_path = os.path.join(workdir, f"{subgenre}.wav")
    subprocess.run([binary, "generate", "--subgenre", subgenre, "--bpm", str(bpm), "--key", key, "--bars", "16",
                    "--seed", "3", "-o", wav_path, "--midi", mid_path], check=True, stdout=subprocess.DEVNULL)
    mid = mido.MidiFile(mid_path)
    errors = []
    if mid.type != 1:
        errors.append(f"type {mid.type}, expected 1")
    tempos = [m.tempo for t in mid.tracks for m in t if m.type == "set_tempo"]
    if tempos != [round(60_000_000 / bpm)]:
        errors.append(f"tempo meta {tempos}, expected [{round(60_000_000 / bpm)}]")
    if abs(mido.tempo2bpm(tempos[0]) - bpm) > 0.01 if tempos else True:
        errors.append("tempo does not give the requested BPM")
    keys = [m.key for t in mid.tracks for m in t if m.type == "key_signature"]
    if keys != [mido_key]:
        errors.append(f"key signature {keys}, expected [{mido_key}]")
    names = [m.name for t in mid.tracks[1:] for m in t if m.type == "track_name"]
    if not names or not set(names) <= EXPECTED_TRACKS or len(names) != len(mid.tracks) - 1:
        errors.append(f"track names {names}")
    for required in ("log-drum", "kick", "keys"):
        if required not in names:
            errors.append(f"no {required} track")
    for track in mid.tracks[1:]:
        name = next((m.name for m in track if m.type == "track_name"), "?")
        ons = [m for m in track if m.type == "note_on" and m.velocity > 0]
        offs = [m for m in track if m.type == "note_off" or (m.type == "note_on" and m.velocity == 0)]
        if not ons:
            errors.append(f"{name}: no notes")
        if len(ons) != len(offs):
            errors.append(f"{name}: {len(ons)} note-ons but {len(offs)} note-offs")
        if name == "log-drum" and any(not 33 <= m.note <= 52 for m in ons):
            errors.append("log-drum notes outside MIDI 33-52")
        channels = {m.channel for m in ons}
        drum = name in {"kick", "shaker", "clap", "hats", "rim", "perc"}
        if drum and channels != {9}:
            errors.append(f"{name}: drum notes on channels {channels}, expected 9 (GM percussion)")
    seconds = mid.length
    expected = (16 + 1) * 4 * 60 / bpm  # 16 bars plus one bar of ring-out
    if abs(seconds - expected) > 4 * 60 / bpm:
        errors.append(f"length {seconds:.2f} s, expected about {expected:.2f} s")
    status = "ok" if not errors else "FAIL"
    print(f"{status} {subgenre} {bpm} BPM {key}: {len(mid.tracks) - 1} tracks, tempo {tempos}, key {keys}")
    for e in errors:
        print("   ", e)
    return not errors


def main():
    binary = sys.argv[1]
    cases = [("classic", 113, "Am", "Am"), ("private-school", 110, "F#m", "F#m"), ("bacardi", 118, "Eb", "Eb"),
             ("sgija", 114, "C#m", "C#m")]
    with tempfile.TemporaryDirectory() as workdir:
        results = [check(binary, workdir, *case) for case in cases]
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
