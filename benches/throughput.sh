#!/usr/bin/env bash
# End-to-end throughput of `tonecheck check` (all built-in packs) against `rg -c -i -F -f`
# searching the same strings, on two corpora, in one run. Not part of the test suite: speed
# is measured here, never asserted in tests. Figures go into docs/performance.md.
#
#   bash benches/throughput.sh [MEGABYTES=200] [RUNS=3]
#
# Corpora (both built deterministically into bench-data/, which git ignores):
#   dense  generated calls (examples/gen_corpus.rs, seed 42): a rule hit in most turns;
#   real   the 337 real conversations of ../shared/corpora-real, front matter removed, eight
#          to a call-sized file, repeated until the size is reached.
# The phrase list rg gets is `tonecheck rules anchors`: every string tonecheck's one
# automaton pass looks for (pattern anchors with their inflections and contracted spellings).
# Reported per corpus: medians of RUNS alternating runs of tonecheck -j1, tonecheck -j2 and
# rg, MB/s, peak RSS, the ratio to rg and the 2-thread speed-up; and, as the machine's own
# ceiling for that speed-up, two -j1 processes each checking half the folders at once.
# Needs: cargo, python3, ripgrep and GNU time (installed with apt-get if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

MB=${1:-200}
RUNS=${2:-3}
SEED=42
DATA=bench-data
REAL_SRC=../shared/corpora-real/conversations

need_apt() {
  if ! command -v "$1" >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "$2" >/dev/null
  fi
}
need_apt rg ripgrep
[ -x /usr/bin/time ] || need_apt /usr/bin/time time

cargo build --release --quiet --bin tonecheck --example gen_corpus
TC=target/release/tonecheck
mkdir -p "$DATA"

# (a) the corpora
stamp="mb=$MB seed=$SEED gen=$(sha1sum examples/gen_corpus.rs | cut -c1-12)"
if [ "$(cat "$DATA/.stamp-dense" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$DATA/dense"
  target/release/examples/gen_corpus "$DATA/dense" "$MB" "$SEED"
  echo "$stamp" > "$DATA/.stamp-dense"
fi
if [ "$(cat "$DATA/.stamp-real" 2>/dev/null)" != "mb=$MB" ]; then
  rm -rf "$DATA/real"
  python3 - "$REAL_SRC" "$DATA/real" "$MB" <<'PY'
import os, sys
src, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
convs = []
for name in sorted(os.listdir(src)):
    if not name.endswith(".txt"):
        continue
    text = open(os.path.join(src, name), encoding="utf-8").read()
    if text.startswith("---\n"):
        text = text[text.index("\n---\n", 4) + 5:]
    convs.append(text.strip() + "\n")
target, size, n, i = mb * 1_000_000, 0, 0, 0
while size < target:
    d = os.path.join(out, f"{n // 1000:04d}")
    os.makedirs(d, exist_ok=True)
    call = "".join(convs[(i + k) % len(convs)] for k in range(8))
    i += 8
    with open(os.path.join(d, f"call-{n:06d}.txt"), "w", encoding="utf-8") as f:
        f.write(call)
    size += len(call.encode("utf-8"))
    n += 1
print(f"{n} real call files, {size} bytes in {out}", file=sys.stderr)
PY
  echo "mb=$MB" > "$DATA/.stamp-real"
fi

# (b) the strings both tools look for
"$TC" rules anchors --no-config > "$DATA/anchors.txt"
nanchors=$(wc -l < "$DATA/anchors.txt")

measure() {  # prints "seconds max_rss_kb" of one run
  local log wall rss
  log=$(mktemp)
  /usr/bin/time -v "$@" > /dev/null 2> "$log" || true
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  rm -f "$log"
  echo "$wall $rss"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "tonecheck $($TC --version 2>/dev/null || true); $nanchors anchor strings; $(nproc) cores; $RUNS runs each"
for corpus in dense real; do
  dir="$DATA/$corpus"
  bytes=$(find "$dir" -type f -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {print s}')
  files=$(find "$dir" -type f -name '*.txt' | wc -l)
  find "$dir" -type f -name '*.txt' -exec cat {} + > /dev/null   # warm the page cache
  status=0
  "$TC" check "$dir" --no-config --format line -j2 > /dev/null || status=$?
  if [ "$status" -gt 1 ]; then
    echo "tonecheck check $dir exited $status; fix that before measuring" >&2
    exit 1
  fi
  # The machine's own ceiling for two threads: two independent one-thread processes, each
  # over half of the corpus's folders, started together (no shared memory, no writer).
  mapfile -t subdirs < <(find "$dir" -mindepth 1 -maxdepth 1 -type d | sort)
  half_a=(); half_b=()
  for k in "${!subdirs[@]}"; do
    if (( k % 2 == 0 )); then half_a+=("${subdirs[$k]}"); else half_b+=("${subdirs[$k]}"); fi
  done
  pair() {  # wall seconds of the two halves checked at once
    local s e
    s=$(date +%s.%N)
    "$TC" check "${half_a[@]}" --no-config --format line -j1 > /dev/null &
    "$TC" check "${half_b[@]}" --no-config --format line -j1 > /dev/null || true
    wait || true
    e=$(date +%s.%N)
    awk -v s="$s" -v e="$e" 'BEGIN {printf "%.2f", e - s}'
  }
  t1=(); t2=(); tr=(); tp=(); r1=0; r2=0; rr=0
  for i in $(seq 1 "$RUNS"); do
    read -r w r < <(measure "$TC" check "$dir" --no-config --format line -j1); t1+=("$w"); (( r > r1 )) && r1=$r
    read -r w r < <(measure "$TC" check "$dir" --no-config --format line -j2); t2+=("$w"); (( r > r2 )) && r2=$r
    read -r w r < <(measure rg -c -i -F -f "$DATA/anchors.txt" "$dir"); tr+=("$w"); (( r > rr )) && rr=$r
    if (( ${#half_b[@]} > 0 )); then tp+=("$(pair)"); fi
  done
  m1=$(median "${t1[@]}"); m2=$(median "${t2[@]}"); mr=$(median "${tr[@]}")
  mp=$( (( ${#tp[@]} > 0 )) && median "${tp[@]}" || echo 0)
  mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN {printf "%.0f", b/1e6/s}'; }
  cat <<OUT

$corpus: $files files, $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1e6}') MB ($dir)
  tonecheck -j1  median ${m1}s  $(mbps "$m1") MB/s  peak RSS $((r1 / 1024)) MB
  tonecheck -j2  median ${m2}s  $(mbps "$m2") MB/s  peak RSS $((r2 / 1024)) MB
  rg -c -i -F -f median ${mr}s  $(mbps "$mr") MB/s  peak RSS $((rr / 1024)) MB
  tonecheck -j2 takes $(awk -v a="$m2" -v b="$mr" 'BEGIN {printf "%.1f", a/b}')x the time of rg; 2 threads are $(awk -v a="$m1" -v b="$m2" 'BEGIN {printf "%.2f", a/b}')x one
  two -j1 processes on the halves at once: median ${mp}s, $(awk -v a="$m1" -v b="$mp" 'BEGIN {if (b > 0) printf "%.2f", a/b; else print "-"}')x one (what this machine gives two independent processes)
OUT
done
