#!/usr/bin/env bash
# scikit-learn and fastText baselines on the labelled data and the generated corpus, one thread.
#
#   bash scripts/baselines/run.sh --data /work/shared/data [--corpus FILE] [--json FILE] [...]
#
# Creates target/baselines-venv (not committed) and installs requirements.txt from PyPI into it
# on first use. Without --corpus, writes the benchmark corpus (100 000 messages, default seed)
# to target/bench-corpus.txt with `cargo run --release -p humas-nlp-id --example corpus`.
# --humas also runs the criterion benchmark of Humas's analyze first, pinned to the same CPU.
# Other flags go to baselines.py (--split humas|sklearn, --split-only, --limit, --single-limit,
# --batch, --repeat, --tasks, --models, --cpu); see its --help. The default Ibrohim split is
# Humas's own (the test tweets `humas text eval` scores on).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/baselines-venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
  echo "==> installing baselines into $venv" >&2
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/requirements.txt"
fi

args=()
has_corpus=false
humas=false
cpu=0
previous=""
for a in "$@"; do
  case "$a" in
    --humas) humas=true; continue ;;
    --corpus) has_corpus=true ;;
  esac
  [ "$previous" = "--cpu" ] && cpu="$a"
  previous="$a"
  args+=("$a")
done
if ! $has_corpus; then
  corpus="$root/target/bench-corpus.txt"
  echo "==> writing the corpus to $corpus" >&2
  (cd "$root" && cargo run -q --release -p humas-nlp-id --example corpus -- 100000 > "$corpus")
  args+=(--corpus "$corpus")
fi

# --humas: the Rust side first, in the same run and on the same CPU: the criterion benchmark of
# the full analysis (its corpus is the first 10 000 messages of the same generator and seed).
if $humas; then
  echo "==> Humas analyze (criterion, CPU $cpu)" >&2
  (cd "$root" && cargo bench -q -p humas-nlp-id --bench analyze --no-run)
  (cd "$root" && taskset -c "$cpu" cargo bench -q -p humas-nlp-id --bench analyze -- \
    --warm-up-time 1 --measurement-time 5 'humas-nlp-id/analyze$') |
    grep -E 'corpus:|^humas-nlp-id/|time:|thrpt:' >&2
fi

# One thread: BLAS, OpenMP and friends; baselines.py also pins itself to one CPU.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 BLIS_NUM_THREADS=1 \
  VECLIB_MAXIMUM_THREADS=1 NUMEXPR_NUM_THREADS=1 PYTHONHASHSEED=0
exec "$venv/bin/python" "$here/baselines.py" "${args[@]}"
