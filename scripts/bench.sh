#!/usr/bin/env bash
# Measures what the README promises, on this machine, loopback only, bounded in time:
#   1. cold start: process start → first 200 from /healthz (SQLite, fresh data folder, demo data)
#   2. idle resident memory after start
#   3. p50/p95 latency of the OPD list page (/opds, signed in) under wrk for 10 s
# Usage: bash scripts/bench.sh            (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p humas-server
bin=target/release/humas
data=$(mktemp -d)
port=${BENCH_PORT:-18080}
log=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data" "$log"' EXIT

# Seed first (hashing seven demo passwords is not start-up), then measure a cold start.
"$bin" migrate --data-dir "$data" >/dev/null
"$bin" serve --demo --data-dir "$data" --bind "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
kill -TERM "$pid"; wait "$pid" || true

start=$(date +%s%N)
"$bin" serve --data-dir "$data" --bind "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.005; done
end=$(date +%s%N)
echo "cold start to first /healthz 200: $(( (end - start) / 1000000 )) ms"
sleep 2
echo "idle RSS: $(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 )) MiB"

jar=$(mktemp)
page=$(curl -s -c "$jar" "http://127.0.0.1:$port/login")
token=$(printf '%s' "$page" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
curl -s -b "$jar" -c "$jar" -o /dev/null \
  --data-urlencode "_csrf=$token" --data-urlencode "username=supervisor" \
  --data-urlencode "password=humas-demo-2026" "http://127.0.0.1:$port/login"
session=$(awk '$6 == "humas_session" {print $7}' "$jar")
rm -f "$jar"
[ -n "$session" ] || { echo "could not sign in" >&2; exit 1; }

lua=$(mktemp --suffix .lua)
cat >"$lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("OPD list page: %d requests, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, errors %d\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
LUA
wrk -t2 -c8 -d10s -s "$lua" -H "Cookie: humas_session=$session" "http://127.0.0.1:$port/opds" | tail -n 1
rm -f "$lua"
