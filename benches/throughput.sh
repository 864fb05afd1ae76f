#!/usr/bin/env bash
# End-to-end throughput of `tonecheck check` against `rg -c -i -F -f` with the same phrase
# list, on the same warm files, in one run. Not part of the test suite: speed is measured
# here, never asserted in tests. Figures go into docs/performance.md.
#
#   bash benches/throughput.sh [MEGABYTES=300] [RUNS=5]
#
# Needs: cargo, python3 (+PyYAML, installed with pip if missing), ripgrep and GNU time
# (installed with apt-get if missing). The corpus is generated deterministically (fixed
# seed) into bench-data/, which git ignores; it is reused while size and seed are the same.
set -euo pipefail
cd "$(dirname "$0")/.."

MB=${1:-300}
RUNS=${2:-5}
SEED=42
DATA=bench-data
CORPUS=$DATA/corpus

need_apt() {
  if ! command -v "$1" >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "$2" >/dev/null
  fi
}
need_apt rg ripgrep
[ -x /usr/bin/time ] || need_apt /usr/bin/time time
python3 -c 'import yaml' 2>/dev/null || pip install -q pyyaml

cargo build --release --quiet --bin tonecheck --example gen_corpus
TC=target/release/tonecheck

# (a) the corpus
stamp="mb=$MB seed=$SEED gen=$(sha1sum examples/gen_corpus.rs | cut -c1-12)"
if [ "$(cat "$DATA/.stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$CORPUS"
  mkdir -p "$DATA"
  target/release/examples/gen_corpus "$CORPUS" "$MB" "$SEED"
  echo "$stamp" > "$DATA/.stamp"
fi
bytes=$(find "$CORPUS" -type f -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {print s}')
files=$(find "$CORPUS" -type f -name '*.txt' | wc -l)

# (b) the phrase list of the built-in packs: every `phrases:` entry and every list, in the
# normal form the engine uses (lower case, straight quotes, single spaces). Regexes have no
# `rg -F` equivalent and are left out, so rg does strictly less work than tonecheck.
python3 - "$DATA/phrases.txt" rules/*.yaml <<'EOF'
import re, sys, yaml
out, files = sys.argv[1], sys.argv[2:]
phrases = set()
def walk(node, key=None):
    if isinstance(node, dict):
        for k, v in node.items():
            walk(v, k)
    elif isinstance(node, list):
        if key == "phrases" or key == "__list__":
            phrases.update(p for p in node if isinstance(p, str))
        else:
            for v in node:
                walk(v, key)
for f in files:
    doc = yaml.safe_load(open(f, encoding="utf-8")) or {}
    for v in (doc.get("lists") or {}).values():
        walk(v, "__list__")
    walk(doc.get("rules") or [])
norm = sorted({re.sub(r"\s+", " ", p.strip().lower().translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))) for p in phrases} - {""})
open(out, "w", encoding="utf-8").write("\n".join(norm) + "\n")
# The same list as one tonecheck phrase rule, to time the scanner on exactly rg's work.
import json
pack = out.rsplit("/", 1)[0] + "/phrases-pack.yaml"
open(pack, "w", encoding="utf-8").write(
    "pack: bench-phrases\nrules:\n  - id: any-phrase\n    severity: info\n    speaker: any\n"
    "    message: '{match}'\n    match:\n      phrases: " + json.dumps(norm) + "\n"
    # Every rule needs a `flag` example (packs without are refused).
    "    examples:\n      flag: " + json.dumps(["Agent: " + norm[0]]) + "\n")
print(f"{len(norm)} phrases from {len(files)} pack(s)", file=sys.stderr)
EOF
nphrases=$(wc -l < "$DATA/phrases.txt")

# (c) warm the page cache, then alternate the two tools RUNS times.
find "$CORPUS" -type f -name '*.txt' -exec cat {} + > /dev/null

# A run that stops early (exit 2: a broken pack or unreadable input) would measure nothing.
status=0
"$TC" check "$CORPUS" --no-config --format line > /dev/null || status=$?
if [ "$status" -gt 1 ]; then
  echo "tonecheck check exited $status; fix that before measuring" >&2
  exit 1
fi

# Runs a command under GNU time; prints "seconds max_rss_kb".
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" > /dev/null 2> "$log" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  rm -f "$log"
  echo "$wall $rss"
}

TC_CMD=("$TC" check "$CORPUS" --no-config --format line)
PH_CMD=("$TC" check "$CORPUS" --no-config --no-default-packs --rules "$DATA/phrases-pack.yaml" --format line)
RG_CMD=(rg -c -i -F -f "$DATA/phrases.txt" "$CORPUS")
tc_times=(); ph_times=(); rg_times=(); tc_rss=0; ph_rss=0; rg_rss=0
for i in $(seq 1 "$RUNS"); do
  read -r w r < <(measure "${TC_CMD[@]}"); tc_times+=("$w"); (( r > tc_rss )) && tc_rss=$r
  read -r w r < <(measure "${PH_CMD[@]}"); ph_times+=("$w"); (( r > ph_rss )) && ph_rss=$r
  read -r w r < <(measure "${RG_CMD[@]}"); rg_times+=("$w"); (( r > rg_rss )) && rg_rss=$r
  echo "run $i: tonecheck ${tc_times[-1]}s, tonecheck phrases only ${ph_times[-1]}s, rg ${rg_times[-1]}s" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
tc_med=$(median "${tc_times[@]}")
ph_med=$(median "${ph_times[@]}")
rg_med=$(median "${rg_times[@]}")
mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN {printf "%.0f", b/1e6/s}'; }

cat <<EOF
corpus:     $files files, $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1e6}') MB ($CORPUS, seed $SEED), $nphrases phrases, $(nproc) cores
tonecheck:  median $tc_med s over $RUNS runs = $(mbps "$tc_med") MB/s, peak RSS $((tc_rss / 1024)) MB (built-in packs)
            ${TC_CMD[*]}
phrases:    median $ph_med s over $RUNS runs = $(mbps "$ph_med") MB/s, peak RSS $((ph_rss / 1024)) MB (rg's phrase list as one rule)
            ${PH_CMD[*]}
rg:         median $rg_med s over $RUNS runs = $(mbps "$rg_med") MB/s, peak RSS $((rg_rss / 1024)) MB
            ${RG_CMD[*]}
ratio:      tonecheck takes $(awk -v a="$tc_med" -v b="$rg_med" 'BEGIN {printf "%.1f", a/b}')x the time of rg (built-in packs), $(awk -v a="$ph_med" -v b="$rg_med" 'BEGIN {printf "%.1f", a/b}')x (same phrases only)
EOF
