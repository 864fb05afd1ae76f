#!/usr/bin/env bash
# What a pre-commit run costs: `tonecheck check --mode script` on one macro file, and on 300
# small macro files (the project's sample scripts cut into Markdown macros of a few lines).
# Not part of the test suite; figures go into the README ("Pre-commit and CI").
#
#   bash benches/precommit.sh [RUNS=30]
#
# Needs: cargo and hyperfine (installed with apt-get if missing). The macros are generated
# deterministically into bench-data/precommit/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-30}
DIR=bench-data/precommit
if ! command -v hyperfine >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
fi
cargo build --release --quiet --bin tonecheck
BIN=$PWD/target/release/tonecheck

rm -rf "$DIR" && mkdir -p "$DIR/macros"
# Every speech line of the sample scripts, in a fixed order, dealt out 5 per macro.
mapfile -t LINES < <(cat corpora/scripts/*.txt | grep -v -e '^---$' -e '^#' -e '^[a-z_]*: ' -e '^$')
n=${#LINES[@]}
for i in $(seq 0 299); do
  f=$(printf '%s/macros/macro-%03d.md' "$DIR" "$i")
  {
    printf -- '---\ntitle: Macro %d\ntags: [support]\n---\n# Macro %d\n\n' "$i" "$i"
    for k in 0 1 2 3 4; do
      printf -- '- %s\n' "${LINES[$(( (i * 5 + k) % n ))]}"
    done
  } > "$f"
done
cp "$DIR/macros/macro-000.md" "$DIR/one.md"
echo "$(ls "$DIR/macros" | wc -l) macros, $(cat "$DIR"/macros/*.md | wc -c) bytes" >&2

cd "$DIR"
hyperfine --warmup 3 --runs "$RUNS" -N -i \
  --export-markdown results.md \
  "$BIN check --no-config --mode script one.md" \
  "$BIN check --no-config --mode script macros"
cat results.md
