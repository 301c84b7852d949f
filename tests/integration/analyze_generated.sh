#!/usr/bin/env bash
# Our own output, analysed by our own analyser: every subgenre at a spread of tempos and in minor and
# major keys, rendered to every container `generate` writes. Passes when every tempo is within 1 % of
# the request and every key and mode is exact (the generator's tonic is the truth).
#   analyze_generated.sh BUILD/amapiano
set -euo pipefail
bin=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# subgenre bpm key (as generate takes it) expected-key expected-mode container
cases=(
  "classic 113 Am A minor wav"
  "classic 110 C C major flac"
  "classic 116 F#m F# minor mp3"
  "classic 108 Ebm Eb minor ogg"
  "private-school 108 Dm D minor wav"
  "private-school 111 Bbm Bb minor flac"
  "private-school 110 Eb Eb major mp3"
  "private-school 115 Em E minor wav"
  "bacardi 118 Gm G minor wav"
  "bacardi 114 Cm C minor ogg"
  "bacardi 120 Bbm Bb minor flac"
  "bacardi 112 F F major wav"
  "sgija 114 Fm F minor mp3"
  "sgija 117 C#m C# minor wav"
  "sgija 112 G G major flac"
  "sgija 109 Abm Ab minor wav"
)

passed=0; failed=0; i=0
printf '%-15s %5s %4s %-4s | %8s %6s %-9s %5s | %s\n' subgenre bpm key fmt ours err% key conf result
for c in "${cases[@]}"; do
  read -r subgenre bpm key want_key want_mode ext <<< "$c"
  out="$work/$i.$ext"
  "$bin" generate --subgenre "$subgenre" --bpm "$bpm" --key "$key" --bars 64 --seed "$((i + 3))" \
    --bit-depth 16 -o "$out" >/dev/null
  json=$("$bin" analyze --json --features tempo,key "$out")
  line=$(/usr/bin/python3 -c '
import json, sys
r = json.loads(sys.argv[1]); want = float(sys.argv[2])
bpm = r.get("bpm") or 0.0
err = abs(bpm - want) / want * 100
ok = err <= 1.0 and r.get("key") == sys.argv[3] and r.get("mode") == sys.argv[4]
print("%.2f %.2f %s %s %.2f %s" % (bpm, err, r.get("key"), r.get("mode"), r.get("key_confidence", 0), "ok" if ok else "FAIL"))
' "$json" "$bpm" "$want_key" "$want_mode")
  read -r got err got_key got_mode conf result <<< "$line"
  printf '%-15s %5s %4s %-4s | %8s %6s %-9s %5s | %s\n' "$subgenre" "$bpm" "$key" "$ext" "$got" "$err" \
    "$got_key $got_mode" "$conf" "$result"
  if [[ $result == ok ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  rm -f "$out"
  i=$((i + 1))
done
echo "$passed passed, $failed failed"
(( failed == 0 ))
