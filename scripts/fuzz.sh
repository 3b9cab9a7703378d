#!/usr/bin/env bash
# Fuzzes humas-nlp-id (fuzz/: targets `analyze` and `redact`) for a bounded time each.
#
#   bash scripts/fuzz.sh [SECONDS]      (default 60 seconds per target)
#
# cargo-fuzz needs nightly compiler flags (-Z sanitizer=address); on the stable toolchain
# RUSTC_BOOTSTRAP=1 unlocks them. Installs cargo-fuzz (from crates.io, --locked) when missing.
# The seed corpus is the generated benchmark corpus (first 300 messages), written at run time
# into fuzz/corpus/TARGET (not committed). A crash leaves its input in fuzz/artifacts/TARGET/
# and makes this script exit non-zero; replay it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

seed_corpus() {
  local dir="fuzz/corpus/$1"
  mkdir -p "$dir"
  if [ -z "$(ls -A "$dir")" ]; then
    local i=0
    cargo run -q --release -p humas-nlp-id --example corpus -- 300 |
      while IFS= read -r line; do
        printf '%s' "$line" > "$dir/seed-$i"
        i=$((i + 1))
      done
  fi
}

status=0
for target in analyze redact; do
  seed_corpus "$target"
  echo "==> fuzzing $target for ${seconds}s" >&2
  # libFuzzer reports every new input; keep its chatter in a log and show the end of it.
  log="fuzz/$target.log"
  if cargo fuzz run "$target" -- \
      -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" >&2 || tail -n 5 "$log" >&2
  else
    tail -n 60 "$log" >&2
    echo "fuzz target $target FAILED (see fuzz/artifacts/$target/ and $log)" >&2
    status=1
  fi
done
exit "$status"
