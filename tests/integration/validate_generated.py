#!/usr/bin/env python3
"""Our own output, judged by our own validator (issue 5's acceptance checks).

  validate_generated.py BUILD/amapiano

1. Every subgenre at three seeds, tempos and keys (full 96-bar arrangements): `amapiano validate`
   scores each >= 80 with verdict `authentic`, and the best-matching subgenre is the one requested
   for most of them. The report `generate` stores next to each mix agrees.
2. Near misses are caught by the right criterion: the same track at 140 BPM fails `tempo`; a piano
   loop (no log drum) fails `log_drum`; rendered straight (--swing 50) it loses on `groove`.
Prints a table of what it measured.
"""
import json
import os
import subprocess
import sys
import tempfile

BIN = os.path.realpath(sys.argv[1])

# subgenre, bpm, key, seed: the default tempo, one below it and one above, minor and major keys.
CASES = [
    ("classic", 113, "Am", 1), ("classic", 111, "F#m", 2), ("classic", 115, "Eb", 3),
    ("private-school", 110, "Dm", 1), ("private-school", 108, "Bbm", 2), ("private-school", 112, "Ab", 3),
    ("bacardi", 116, "Cm", 1), ("bacardi", 114, "Gm", 2), ("bacardi", 119, "E", 3),
    ("sgija", 114, "Fm", 1), ("sgija", 112, "C#m", 2), ("sgija", 117, "G", 3),
]

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print("FAIL:", message)


def run(args):
    result = subprocess.run([BIN] + args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"amapiano {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result.stdout


def generate(path, *args):
    return json.loads(run(["generate", "--json", "-o", path, *args]))


def validate(*paths):
    return [json.loads(line) for line in run(["validate", "--json", *paths]).splitlines()]


def criterion(report, name):
    return next(c for c in report["criteria"] if c["name"] == name)


with tempfile.TemporaryDirectory() as work:
    paths, stored = [], []
    for subgenre, bpm, key, seed in CASES:
        path = os.path.join(work, f"{subgenre}-{bpm}-{key}.wav")
        made = generate(path, "--subgenre", subgenre, "--bpm", str(bpm), "--key", key, "--seed", str(seed))
        paths.append(path)
        stored.append(made["validation"])
    reports = validate(*paths)
    matched = 0
    print(f"{'track':28} {'score':>5} {'verdict':12} {'best match':15} {'as generated':>12}")
    for (subgenre, bpm, key, seed), report, at_generation in zip(CASES, reports, stored):
        name = f"{subgenre} {bpm} {key} seed {seed}"
        print(f"{name:28} {report['score']:5.1f} {report['verdict']:12} {report['subgenre']:15} "
              f"{at_generation['score']:12.1f}")
        check(report["score"] >= 80 and report["verdict"] == "authentic", f"{name}: {report['score']}")
        check(at_generation["score"] >= 80 and at_generation["verdict"] == "authentic",
              f"{name} as generated: {at_generation['score']}")
        check(at_generation["subgenre"] == subgenre, f"{name}: stored report judged {at_generation['subgenre']}")
        matched += report["subgenre"] == subgenre
    print(f"best match = requested subgenre for {matched} of {len(CASES)}")
    # "Most": at least three in four (measured: 11 of 12).
    check(matched * 4 >= len(CASES) * 3, f"best match right for only {matched} of {len(CASES)}")

    # Near misses: one change each, against the same classic track.
    base = os.path.join(work, "base.wav")
    fast = os.path.join(work, "fast.wav")
    straight = os.path.join(work, "straight.wav")
    piano = os.path.join(work, "piano.wav")
    common = ["--subgenre", "classic", "--key", "Am", "--seed", "5"]
    generate(base, *common, "--bpm", "113")
    generate(fast, *common, "--bpm", "140")
    generate(straight, *common, "--bpm", "113", "--swing", "50")
    generate(piano, *common, "--bpm", "113", "--loop", "piano")
    b, f, s, p = validate("--subgenre", "classic", base, fast, straight, piano)
    for label, r in (("base", b), ("140 BPM", f), ("straight", s), ("piano loop", p)):
        print(f"{label:11} {r['score']:5.1f} {r['verdict']:12} " +
              " ".join(f"{c['name']}={c['score']:.2f}" for c in r["criteria"]))

    tempo = criterion(f, "tempo")
    check(tempo["score"] <= 0.2, f"140 BPM passes the tempo criterion: {tempo}")
    check(tempo["feedback"].startswith("140.0 BPM is 24.0 BPM above classic's 110-116 BPM"), tempo["feedback"])
    check(f["verdict"] != "authentic", f"140 BPM render is {f['verdict']}")
    check(criterion(b, "tempo")["score"] >= 0.9, "the base track fails tempo")

    log_drum = criterion(p, "log_drum")
    check(log_drum["score"] <= 0.3, f"the piano loop passes the log drum criterion: {log_drum}")
    check(log_drum["feedback"].startswith("No log drum was heard"), log_drum["feedback"])
    check(criterion(b, "log_drum")["score"] >= 0.9, "the base track fails log_drum")

    groove, swung = criterion(s, "groove"), criterion(b, "groove")
    check(groove["score"] <= swung["score"] - 0.4, f"straight time does not lose on groove: {groove} vs {swung}")
    check(groove["feedback"].startswith("The 16ths are straight"), groove["feedback"])
    check(s["score"] < b["score"], "the straight render scores no lower overall")

if failures:
    sys.exit(f"{len(failures)} check(s) failed")
print("all validation checks passed")
