#!/usr/bin/env python3
"""A one-hour DJ mix is analysed in bounded memory.

Renders two 10-minute amapiano tracks (112 and 116 BPM), strings them together with FFmpeg into a
60-minute FLAC "DJ mix", runs `amapiano analyze --json` on it and checks the child's peak resident
memory (getrusage) stays under 300 MB, and that the result is sane (duration, a tempo of the mix).
Also a 10-hour WAV header with no data behind it: a quick, clean answer in little memory.

  long_mix_memory.py AMAPIANO_BIN
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import wave

LIMIT_MB = 300


def run_measured(cmd):
    """Runs cmd in a fresh Python process so that RUSAGE_CHILDREN there sees only cmd (the renders
    and FFmpeg runs before it are children of this process, not of that one)."""
    probe = ("import resource, subprocess, sys, json, time\n"
             "start = time.monotonic()\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=600)\n"
             "print(json.dumps({'code': p.returncode, 'out': p.stdout, 'err': p.stderr,\n"
             "                  'kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,\n"
             "                  's': time.monotonic() - start}))\n")
    done = subprocess.run([sys.executable, "-c", probe] + cmd, capture_output=True, text=True, timeout=900)
    r = json.loads(done.stdout)
    return subprocess.CompletedProcess(cmd, r["code"], r["out"], r["err"]), r["kb"] / 1024.0, r["s"]


def main():
    binary = sys.argv[1]
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        print("long_mix_memory: ffmpeg not installed (scripts/install-deps.sh installs it)")
        return 1
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for name, subgenre, bpm, key in (("a", "classic", 112, "F#m"), ("b", "private-school", 116, "Am")):
            out = os.path.join(tmp, name + ".wav")
            subprocess.run([binary, "generate", "--subgenre", subgenre, "--bpm", str(bpm), "--key", key,
                            "--seconds", "600", "--seed", "5", "--bit-depth", "16", "-o", out],
                           check=True, capture_output=True)
            parts.append(out)
        expected_s = 0.0
        for p in parts:
            with wave.open(p) as w:
                expected_s += 3 * w.getnframes() / w.getframerate()
        listing = os.path.join(tmp, "list.txt")
        with open(listing, "w") as f:
            for _ in range(3):
                for p in parts:
                    f.write("file '%s'\n" % p)
        mix = os.path.join(tmp, "mix.flac")
        subprocess.run([ffmpeg, "-v", "error", "-f", "concat", "-safe", "0", "-i", listing, "-c:a", "flac", mix],
                       check=True)

        proc, peak_mb, elapsed = run_measured([binary, "analyze", "--json", mix])
        if proc.returncode != 0:
            failures.append("analyze failed: %s %s" % (proc.returncode, proc.stderr.strip()))
        else:
            result = json.loads(proc.stdout.splitlines()[0])
            print("one-hour mix: %.0f s of audio analysed in %.1f s, peak RSS %.0f MB, bpm %s, key %s %s, "
                  "%d sections" % (result["duration_s"], elapsed, peak_mb, result["bpm"], result["key"],
                                   result["mode"], len(result["sections"])))
            if abs(result["duration_s"] - expected_s) > 1.0:
                failures.append("duration %.1f s, expected %.1f" % (result["duration_s"], expected_s))
            if result["bpm"] is None or not (110.0 <= result["bpm"] <= 118.0):
                failures.append("bpm %s, expected 112-116" % result["bpm"])
            if peak_mb >= LIMIT_MB:
                failures.append("peak RSS %.0f MB, limit %d MB" % (peak_mb, LIMIT_MB))

        header = os.path.join(tmp, "ten_hours.wav")
        data_bytes = 22050 * 2 * 36000  # 10 hours of 22.05 kHz mono 16-bit (a RIFF size fits in 32 bits)
        with open(header, "wb") as f:
            f.write(b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVEfmt " +
                    struct.pack("<IHHIIHH", 16, 1, 1, 22050, 22050 * 2, 2, 16) + b"data" +
                    struct.pack("<I", data_bytes))
        proc, _, elapsed = run_measured([binary, "analyze", "--json", header])
        line = proc.stdout.splitlines()[0] if proc.stdout else "{}"
        print("ten-hour header without data: exit %d in %.2f s: %s" % (proc.returncode, elapsed, line[:200]))
        if proc.returncode not in (0, 1) or elapsed > 30:
            failures.append("ten-hour header: exit %d after %.1f s" % (proc.returncode, elapsed))

    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
