#!/usr/bin/env bash
# A quick before/after of the hot list: one bench server held (SQLite, seeded), wrk -t2 -c64 twice
# on the list and once on /healthz. Usage: examples/shared/list-rate.sh [BENCH] [VAR=value ...]
set -u
BENCH=${1:-target/release/examples/bench}; shift || true
err=$(mktemp)
env "$@" MICROWISH_BENCH_HOLD=40 "$BENCH" --engine sqlite --duration 1 --concurrency 64 > /dev/null 2> "$err" & bp=$!
# stderr is unbuffered, so the line may arrive in pieces: wait for all of it
until grep -qE "^bench: HOLD [^ ]+ [^ ]+ [0-9]+$" "$err"; do sleep 0.5; done; sleep 0.2
read -r _ _ base token _ < <(grep "bench: HOLD" "$err")
for _ in 1 2; do wrk -t2 -c64 -d6s -H "Authorization: Bearer $token" "$base/api/v1/wishes?status=open" | grep Requests; done
wrk -t2 -c64 -d6s "$base/healthz" | grep Requests
kill $bp 2>/dev/null; wait $bp 2>/dev/null; rm -f "$err"
