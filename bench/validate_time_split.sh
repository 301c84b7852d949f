#!/usr/bin/env bash
# Where the time of `amapiano validate` goes on a 3-minute track: decoding, analysis, and the scoring
# itself (every subgenre, every criterion, the feedback). Scoring should add little beyond analysis.
#   bash bench/validate_time_split.sh BUILD/amapiano [RUNS]
set -euo pipefail
bin=$(realpath "$1")
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# 85 bars at 113 BPM plus a bar of ring-out: 3 minutes, like the render benchmark.
"$bin" generate --subgenre classic --bpm 113 --key Am --bars 85 --seed 1 -o "$work/track.wav" > /dev/null
for _ in $(seq "$runs"); do "$bin" validate --json --timings "$work/track.wav"; done > "$work/runs.jsonl"
/usr/bin/python3 - "$work/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
t = {k: statistics.median(r["timings"][k] for r in runs) for k in ("decode_s", "analyse_s", "validate_s", "total_s")}
print(f"validate, 3-minute WAV, median of {len(runs)} runs (score {runs[0]['score']}, {runs[0]['verdict']}):")
print(f"  decode {t['decode_s']*1000:8.1f} ms   analysis {t['analyse_s']*1000:8.1f} ms   "
      f"scoring {t['validate_s']*1000:8.3f} ms   total {t['total_s']*1000:8.1f} ms")
print(f"  scoring is {100 * t['validate_s'] / t['total_s']:.3f} % of the total")
PY
