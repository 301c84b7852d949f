#!/usr/bin/env bash
# Runs the analyze fuzzer for a while from a seed corpus of small real files (the shared reference
# data's edge cases and short recordings, copied into a temporary corpus, never into the repository).
#   tests/fuzz/run.sh build-fuzz/tests/fuzz/analyze_fuzz [SECONDS]
set -euo pipefail
fuzzer=${1:?usage: run.sh FUZZER [SECONDS]}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
data=${AMAPIANO_SHARED_DATA:-$here/../../../shared/data}/essentia-audio
if [[ ! -d "$data" ]]; then
  echo "fuzz: shared data not found at $data (set AMAPIANO_SHARED_DATA)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
find "$data" -type f -size -200k \( -name '*.wav' -o -name '*.flac' -o -name '*.ogg' -o -name '*.mp3' \
  -o -name '*.aac' -o -name '*.aiff' \) -exec cp {} "$work/corpus/" \;
echo "fuzz: $(ls "$work/corpus" | wc -l) seed files, ${seconds} s"
set +e
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  "$fuzzer" -max_total_time="$seconds" -max_len=131072 -timeout=30 -rss_limit_mb=3000 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" > "$work/fuzz.log" 2>&1
status=$?
set -e
tail -25 "$work/fuzz.log"

if [[ $status -ne 0 ]]; then
  mkdir -p fuzz-artifacts && cp "$work"/artifacts/* fuzz-artifacts/ 2>/dev/null || true
  echo "fuzz: FAILED (status $status); crashing inputs copied to fuzz-artifacts/" >&2
fi
exit "$status"
