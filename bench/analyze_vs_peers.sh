#!/usr/bin/env bash
# Analyses the same files with `amapiano analyze`, Essentia (essentia.js: RhythmExtractor2013
# multifeature, KeyExtractor 'edma', LoudnessEBUR128) and aubio (`aubio beat`), and prints tempo, key,
# integrated loudness and time side by side, with ground truth where it is known.
#
#   bench/analyze_vs_peers.sh [AMAPIANO_BIN] [FILES...]
#
# AMAPIANO_BIN defaults to <repo>/build/amapiano. Without FILES: the shared data's recorded clips
# (AMAPIANO_SHARED_DATA, default <repo>/../shared/data) plus four amapiano tracks rendered by the binary
# into a temp dir. AMAPIANO_FEATURES (default all) is passed to `analyze --features`.
# Peers: essentia.js from scripts/install-peers.sh, aubio from Debian's aubio-tools. A peer that is
# missing or fails on a file shows "-".
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$root/build/amapiano}
[[ $# -gt 0 ]] && shift
if [[ ! -x $bin ]]; then
  echo "usage: $0 [AMAPIANO_BIN] [FILES...]   ($bin is not an executable)" >&2
  exit 2
fi
bin=$(realpath "$bin")
data=${AMAPIANO_SHARED_DATA:-$root/../shared/data}
features=${AMAPIANO_FEATURES:-all}
peers=$root/bench/peers
runs=3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- JSON: jq, else the python3 standard library. jget FILE .a.b prints the value or nothing. ---------
if command -v jq >/dev/null 2>&1; then
  jget() { jq -r "($2) // empty" "$1" 2>/dev/null | head -n 1; }
else
  jget() {
    /usr/bin/python3 - "$1" "$2" <<'PY' 2>/dev/null
import json, sys
try:
    with open(sys.argv[1]) as f:
        v = json.loads(f.readline())
    for k in sys.argv[2].strip('.').split('.'):
        v = v[k]
    if v is not None and v is not False:
        print(v)
except Exception:
    pass
PY
  }
fi

now_ns() { date +%s%N; }
have_essentia=0
if [[ -f $peers/node_modules/essentia.js/package.json ]] && command -v node >/dev/null && command -v ffmpeg >/dev/null; then
  have_essentia=1
fi
have_aubio=0
command -v aubio >/dev/null 2>&1 && have_aubio=1

# --- the file set ---------------------------------------------------------------------------------------
declare -a files T_bpm T_key T_lufs
expected=$data/essentia-audio/expected.json
if [[ $# -gt 0 ]]; then
  for f in "$@"; do files+=("$(realpath "$f")"); T_bpm+=(""); T_key+=(""); done
else
  rec=$data/essentia-audio/recorded
  for f in techno_loop.mp3 dubstep.wav dubstep.flac dubstep.ogg dubstep.mp3 dubstep.aac flamenco.flac \
           359500__mtg__sax-tenor-e-major.wav 359628__mtg__sax-tenor-d-minor.wav; do
    if [[ -f $rec/$f ]]; then files+=("$rec/$f"); T_bpm+=(""); T_key+=(""); else echo "missing: $rec/$f" >&2; fi
  done
  # subgenre bpm key seed: rendered now, 64 bars (about 2 minutes with intro, breakdown and outro)
  gen=("classic 112 F#m 1" "private-school 110 Am 2" "bacardi 118 Cm 3" "sgija 114 Gm 4")
  echo "rendering ${#gen[@]} amapiano tracks (64 bars) ..." >&2
  pids=()
  for g in "${gen[@]}"; do
    read -r sg bpm key seed <<< "$g"
    out="$work/${sg}_${bpm}_${key}.wav"
    "$bin" generate --subgenre "$sg" --bpm "$bpm" --key "$key" --bars 64 --seed "$seed" -o "$out" \
      >/dev/null 2>"$work/gen_$seed.err" &
    pids+=($!)
    if (( ${#pids[@]} == 2 )); then wait "${pids[@]}"; pids=(); fi
  done
  wait
  for g in "${gen[@]}"; do
    read -r sg bpm key seed <<< "$g"
    out="$work/${sg}_${bpm}_${key}.wav"
    if [[ -s $out ]]; then files+=("$out"); T_bpm+=("$bpm"); T_key+=("$key")
    else echo "render failed: $sg $bpm $key: $(head -c 300 "$work/gen_$seed.err")" >&2; fi
  done
fi

# Ground truth from the shared data's expected.json (paths there are relative to essentia-audio/):
# prints "BPM KEY LUFS", "_" where unknown.
truth_from_expected() {
  local f=$1 rel
  case $f in */essentia-audio/*) rel=${f##*/essentia-audio/} ;; *) echo "_ _ _"; return ;; esac
  [[ -f $expected ]] || { echo "_ _ _"; return; }
  /usr/bin/python3 - "$expected" "$rel" <<'PY' 2>/dev/null || echo "_ _ _"
import json, sys
e = json.load(open(sys.argv[1])); f = sys.argv[2]
t = next(('%g' % x['bpm'] for x in e.get('tempo', []) if x.get('file') == f), '_')
k = next((x['key'] + ('m' if x.get('mode') == 'minor' else '') for x in e.get('key', []) if x.get('file') == f), '_')
l = next(('%g' % x['integrated_lufs'] for x in e.get('loudness', []) if x.get('file') == f and 'integrated_lufs' in x), '_')
print(t, k, l)
PY
}

# --- measure ----------------------------------------------------------------------------------------------
median3() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }

declare -a R_dur R_truth R_ot R_et R_at R_ok R_ek R_ol R_el R_oms R_ems R_ams
n=${#files[@]}
echo "measuring $n files (ours x$runs, Essentia, aubio; one at a time) ..." >&2
for ((i = 0; i < n; i++)); do
  f=${files[i]}
  T_lufs[i]=""
  if [[ -z ${T_bpm[i]} && -z ${T_key[i]} ]]; then
    read -r tb tk tl <<< "$(truth_from_expected "$f")"
    [[ $tb != _ ]] && T_bpm[i]=$tb; [[ $tk != _ ]] && T_key[i]=$tk; [[ $tl != _ ]] && T_lufs[i]=$tl
  fi
  R_truth[i]=$(echo ${T_bpm[i]} ${T_key[i]} ${T_lufs[i]:+${T_lufs[i]} LUFS})

  # ours: median process wall time of `analyze --json --timings`, numbers from the first run
  times=()
  for ((r = 0; r < runs; r++)); do
    t0=$(now_ns)
    if [[ $r -eq 0 ]]; then
      "$bin" analyze --json --timings --features "$features" "$f" >"$work/ours.json" 2>"$work/ours.err"
      rc=$?
    else
      "$bin" analyze --json --timings --features "$features" "$f" >/dev/null 2>&1
    fi
    t1=$(now_ns)
    times+=($(( (t1 - t0) / 1000000 )))
    [[ $rc -ne 0 ]] && break
  done
  if [[ $rc -eq 0 && -n $(jget "$work/ours.json" .duration_s) ]]; then
    R_oms[i]=$(median3 "${times[@]}")
    R_dur[i]=$(jget "$work/ours.json" .duration_s)
    R_ot[i]=$(jget "$work/ours.json" .bpm)
    k=$(jget "$work/ours.json" .key); m=$(jget "$work/ours.json" .mode)
    R_ok[i]=${k:+$k$([[ $m == minor ]] && echo m)}
    # analysed, but no tempo / no key (bpm or key null): a miss, shown as "none"
    [[ -z ${R_ot[i]} ]] && R_ot[i]=none
    [[ -z ${R_ok[i]} ]] && R_ok[i]=none
    R_ol[i]=$(jget "$work/ours.json" .loudness.integrated_lufs)
  else
    echo "ours failed on $f: $(head -c 300 "$work/ours.err") $(jget "$work/ours.json" .error.message)" >&2
    R_oms[i]=""; R_dur[i]=""; R_ot[i]=""; R_ok[i]=""; R_ol[i]=""
  fi

  # Essentia: decode to 44.1 kHz float32 with ffmpeg (not timed), mono for tempo/key, stereo for
  # loudness (a mono source gets a silent right channel: BS.1770 measures mono as one channel).
  R_et[i]=""; R_ek[i]=""; R_el[i]=""; R_ems[i]=""
  if (( have_essentia )); then
    ch=$(ffprobe -v error -select_streams a:0 -show_entries stream=channels -of csv=p=0 "$f" 2>/dev/null | head -n 1)
    if [[ $ch == 1 ]]; then pan=(-af "pan=stereo|c0=c0|c1=0*c0"); else pan=(-ac 2); fi
    if ffmpeg -nostdin -v error -i "$f" -ac 1 -ar 44100 -f f32le -y "$work/m.f32" \
       && ffmpeg -nostdin -v error -i "$f" "${pan[@]}" -ar 44100 -f f32le -y "$work/s.f32" \
       && node "$peers/essentia_ref.js" "$work/m.f32" "$work/s.f32" >"$work/ess.json" 2>"$work/ess.err"; then
      R_et[i]=$(jget "$work/ess.json" .bpm)
      k=$(jget "$work/ess.json" .key); m=$(jget "$work/ess.json" .scale)
      R_ek[i]=${k:+$k$([[ $m == minor ]] && echo m)}
      R_el[i]=$(jget "$work/ess.json" .loudness)
      tm=$(jget "$work/ess.json" .tempo_ms); km=$(jget "$work/ess.json" .key_ms); lm=$(jget "$work/ess.json" .loudness_ms)
      [[ -n $tm && -n $km && -n $lm ]] && R_ems[i]=$((tm + km + lm))
      [[ -z ${R_dur[i]} ]] && R_dur[i]=$(jget "$work/ess.json" .duration_s)
    else
      echo "Essentia failed on $f: $(head -c 300 "$work/ess.err")" >&2
    fi
    rm -f "$work/m.f32" "$work/s.f32"
  fi

  # aubio: `aubio beat` prints beat times (on its 512-sample hop grid). BPM = 60 / the mean of the
  # inter-beat intervals within 10 % of their median: the median picks the beat period, the mean
  # undoes the grid (60 / median alone reads ~1.3 % high: 113.3 for 112, 126.7 for the 124 techno loop);
  # `aubio tempo`'s own figure, the mean of the per-interval BPMs, is thrown by outliers (121.9 on the
  # 140 BPM dubstep clip).
  R_at[i]=""; R_ams[i]=""
  if (( have_aubio )); then
    t0=$(now_ns)
    if aubio beat -i "$f" >"$work/aubio.txt" 2>/dev/null; then
      t1=$(now_ns)
      R_ams[i]=$(( (t1 - t0) / 1000000 ))
      R_at[i]=$(awk 'NF {b[n++] = $1} END {
          if (n < 2) exit; for (j = 1; j < n; j++) d[j - 1] = b[j] - b[j - 1]
          m = n - 1; for (x = 0; x < m; x++) for (y = x + 1; y < m; y++) if (d[y] < d[x]) {t = d[x]; d[x] = d[y]; d[y] = t}
          med = (m % 2) ? d[(m - 1) / 2] : (d[m / 2 - 1] + d[m / 2]) / 2
          for (x = 0; x < m; x++) if (d[x] >= 0.9 * med && d[x] <= 1.1 * med) {sum += d[x]; k++}
          if (k > 0 && sum > 0) printf "%.3f", 60 * k / sum }' "$work/aubio.txt")
    fi
  fi
  printf '  %d/%d %s\n' "$((i + 1))" "$n" "$(basename "$f")" >&2
done

# --- report -----------------------------------------------------------------------------------------------
cat <<EOF
amapiano analyze vs Essentia (essentia.js 0.1.3) vs aubio 0.4.9 — same files, same run, one at a time.
  Tempo in BPM; key with m = minor; loudness = integrated LUFS (EBU R128). truth = the request of a
  rendered track, or the shared data's expected.json. none = ours ran but found no tempo/key (a miss);
  - = not measured or the tool failed. t?/k? = ours vs Essentia: ok = within 1 % / same key,
  x2 = tempo octave (x2 or x1/2), NO = differ. ratio = Essentia ms / ours ms (> 1: we are faster).
  Times, ms. Ours: wall time of the whole \`amapiano analyze --json --timings --features $features\`
  process, median of $runs, INCLUDING decoding the file and every requested feature (beats, onsets,
  spectral, swing, log drum, sections ...). Essentia: only its RhythmExtractor2013 + KeyExtractor +
  LoudnessEBUR128 calls inside node; decoding/resampling to float32 (ffmpeg) and node/WASM start-up
  are NOT charged to it. aubio: wall time of the \`aubio beat -i FILE\` process (decoding included);
  its BPM = 60 / mean inter-beat interval within 10 % of the median interval.
EOF
fmt='%-26s %6s %-12s| %6s %6s %6s %-3s| %-4s %-4s %-3s| %6s %6s | %6s %6s %6s | %5s\n'
printf "$fmt" file dur_s truth "ours" "ess" "aubio" "t?" ours ess "k?" ours ess ours_ms ess_ms aub_ms ratio
printf "$fmt" "" "" "" "tempo" "" "" "" "key" "" "" "LUFS" "" "" "" "" ""
printf '%s\n' "$(printf '%.0s-' {1..130})"

pc() {  # key name -> "pitchclass mode"; empty when unknown
  local k=$1 mode=major root
  [[ -z $k ]] && return
  [[ $k == *m ]] && { mode=minor; k=${k%m}; }
  case $k in
    C) root=0 ;; C#|Db) root=1 ;; D) root=2 ;; D#|Eb) root=3 ;; E|Fb) root=4 ;; F|E#) root=5 ;;
    F#|Gb) root=6 ;; G) root=7 ;; G#|Ab) root=8 ;; A) root=9 ;; A#|Bb) root=10 ;; B|Cb) root=11 ;; *) return ;;
  esac
  echo "$root $mode"
}
tempo_cmp() {  # ok | x2 | NO | "" (missing)
  [[ -z $1 || -z $2 ]] && return
  [[ $1 == none || $2 == none ]] && { echo NO; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0 || a <= 0) exit
    r = a / b; e = 0.01
    if (r >= 1 - e && r <= 1 + e) print "ok"; else if ((r / 2 >= 1 - e && r / 2 <= 1 + e) || (r * 2 >= 1 - e && r * 2 <= 1 + e)) print "x2"; else print "NO" }'
}
key_cmp() {
  [[ -z $1 || -z $2 ]] && return
  [[ $1 == none || $2 == none ]] && { echo NO; return; }
  local a b; a=$(pc "$1"); b=$(pc "$2")
  [[ -z $a || -z $b ]] && return
  [[ $a == "$b" ]] && echo ok || echo NO
}
num() {
  if [[ -z $1 ]]; then echo "-"; elif [[ $1 =~ ^-?[0-9.eE+-]+$ ]]; then LC_ALL=C printf "%.${2}f" "$1"; else echo "$1"; fi
}
short() {  # fits a file name in 26 columns; drops a freesound-style "123456__user__" prefix first
  local s=$1
  (( ${#s} > 26 )) && [[ $s =~ ^[0-9]+__[^_]+__(.+)$ ]] && s=${BASH_REMATCH[1]}
  (( ${#s} > 26 )) && s="~${s: -25}"
  echo "$s"
}

# tallies: ours-vs-Essentia, and each analyser vs truth
declare -A C
inc() { C[$1]=$(( ${C[$1]:-0} + 1 )); }
tot_audio=0; tot_o=0; tot_e=0; tot_a=0; timed=0
for ((i = 0; i < n; i++)); do
  truth=${R_truth[i]}; tb=${T_bpm[i]}; tk=${T_key[i]}
  tc=$(tempo_cmp "${R_ot[i]}" "${R_et[i]}"); kc=$(key_cmp "${R_ok[i]}" "${R_ek[i]}")
  [[ -n $tc ]] && { inc te_n; inc "te_$tc"; }
  [[ -n $kc ]] && { inc ke_n; inc "ke_$kc"; }
  if [[ -n $tb ]]; then
    for who in o e a; do
      case $who in o) v=${R_ot[i]} ;; e) v=${R_et[i]} ;; a) v=${R_at[i]} ;; esac
      inc "tt${who}_n"; c=$(tempo_cmp "$v" "$tb"); [[ -n $c ]] && inc "tt${who}_$c"
    done
  fi
  if [[ -n $tk ]]; then
    for who in o e; do
      case $who in o) v=${R_ok[i]} ;; e) v=${R_ek[i]} ;; esac
      inc "kt${who}_n"; c=$(key_cmp "$v" "$tk"); [[ -n $c ]] && inc "kt${who}_$c"
    done
  fi
  ratio="-"
  if [[ -n ${R_oms[i]} && -n ${R_ems[i]} && ${R_oms[i]} -gt 0 ]]; then
    ratio=$(awk -v e="${R_ems[i]}" -v o="${R_oms[i]}" 'BEGIN { printf "%.1f", e / o }')
  fi
  if [[ -n ${R_oms[i]} && -n ${R_ems[i]} && -n ${R_dur[i]} ]]; then
    timed=$((timed + 1))
    tot_audio=$(awk -v a="$tot_audio" -v d="${R_dur[i]}" 'BEGIN { print a + d }')
    tot_o=$((tot_o + R_oms[i])); tot_e=$((tot_e + R_ems[i])); tot_a=$((tot_a + ${R_ams[i]:-0}))
  fi
  printf "$fmt" "$(short "$(basename "${files[i]}")")" "$(num "${R_dur[i]}" 1)" "${truth:--}" \
    "$(num "${R_ot[i]}" 1)" "$(num "${R_et[i]}" 1)" "$(num "${R_at[i]}" 1)" "${tc:--}" \
    "${R_ok[i]:--}" "${R_ek[i]:--}" "${kc:--}" "$(num "${R_ol[i]}" 1)" "$(num "${R_el[i]}" 1)" \
    "${R_oms[i]:--}" "${R_ems[i]:--}" "${R_ams[i]:--}" "$ratio"
done
printf '%s\n' "$(printf '%.0s-' {1..130})"
overall="-"
(( tot_o > 0 )) && overall=$(awk -v e="$tot_e" -v o="$tot_o" 'BEGIN { printf "%.1fx", e / o }')
c() { echo "${C[$1]:-0}"; }
printf 'summary: %d files, %.1f s of audio (files both measured) | ours %d ms, Essentia %d ms, aubio %d ms | Essentia/ours %s\n' \
  "$n" "$tot_audio" "$tot_o" "$tot_e" "$tot_a" "$overall"
printf '  tempo ours~Essentia within 1 %%: %d/%d (octave x2/x1/2: %d) | key ours=Essentia: %d/%d\n' \
  "$(c te_ok)" "$(c te_n)" "$(c te_x2)" "$(c ke_ok)" "$(c ke_n)"
printf '  vs truth — tempo within 1 %%: ours %d/%d (octave %d), Essentia %d/%d (octave %d), aubio %d/%d (octave %d) | key: ours %d/%d, Essentia %d/%d\n' \
  "$(c tto_ok)" "$(c tto_n)" "$(c tto_x2)" "$(c tte_ok)" "$(c tte_n)" "$(c tte_x2)" "$(c tta_ok)" "$(c tta_n)" "$(c tta_x2)" \
  "$(c kto_ok)" "$(c kto_n)" "$(c kte_ok)" "$(c kte_n)"
