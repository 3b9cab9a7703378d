#!/usr/bin/env bash
# Peak resident memory of `humas text analyze` over 100 000 generated messages (~150 characters),
# asserted to stay within 200 MB (exit 1 otherwise). The full analysis includes the classifiers:
# their models are embedded in the binary (crates/humas-nlp-id/models/*.hlm) and decoded once, on
# the first message, so they count in the peak; it does not grow with the number of messages.
#
#   bash scripts/peak-memory.sh [COUNT] [LIMIT_MB]      (defaults: 100000 200)
#
# Builds the release binary (target/release/humas) and the corpus example, writes the corpus to
# a temporary file, and runs the analysis under GNU time (`/usr/bin/time -v`, installed from
# Debian when missing), which reports the maximum resident set size. Also prints the wall time,
# i.e. messages per second end to end through the command line, JSON output included.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
limit_mb="${2:-200}"

if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi

cargo build -q --release -p humas-server
cargo build -q --release -p humas-nlp-id --example corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/examples/corpus "$count" > "$work/corpus.txt"

/usr/bin/time -v -o "$work/time.txt" target/release/humas text analyze \
  < "$work/corpus.txt" > "$work/out.ndjson" 2> "$work/stderr.txt"

lines=$(wc -l < "$work/out.ndjson")
peak_kb=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$work/time.txt")
elapsed=$(sed -n 's/^\s*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
seconds=$(awk -v t="$elapsed" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }')
peak_mb=$(awk -v kb="$peak_kb" 'BEGIN { printf "%.1f", kb / 1024 }')
rate=$(awk -v n="$lines" -v s="$seconds" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }')

echo "messages in: $count, analyses out: $lines"
echo "input: $(wc -c < "$work/corpus.txt") bytes; output: $(wc -c < "$work/out.ndjson") bytes"
echo "wall time: ${seconds} s (${rate} messages/s end to end, JSON included)"
echo "peak RSS: ${peak_mb} MB (limit ${limit_mb} MB)"
if [ "$lines" -ne "$count" ]; then
  echo "FAIL: expected $count analyses" >&2
  cat "$work/stderr.txt" >&2
  exit 1
fi
if awk -v kb="$peak_kb" -v mb="$limit_mb" 'BEGIN { exit !(kb > mb * 1024) }'; then
  echo "FAIL: peak RSS ${peak_mb} MB is over ${limit_mb} MB" >&2
  exit 1
fi
echo "OK"
