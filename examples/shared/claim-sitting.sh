#!/usr/bin/env bash
# Contended claims before and after a change, in one sitting: pgbench's peer (with its backends' CPU),
# then NEW and BASE (another build's bench binary, served through MICROWISH_BENCH_SERVER) twice each,
# alternating, then the peer again. Usage: BASE=/tmp/bench-main examples/shared/claim-sitting.sh
set -u
cd "$(dirname "$0")/../.."
NEW=${NEW:-target/release/examples/bench}
BASE=${BASE:?BASE: the bench binary of the build to compare with}
SHARED=${SHARED:-../shared/bench}
PG=postgres://postgres@127.0.0.1:5432
peer() {
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS peer_claim" -c "CREATE DATABASE peer_claim" >/dev/null
  psql "$PG/peer_claim" -qc "CREATE TABLE wish(id bigint PRIMARY KEY, status text, volunteer_id bigint);
      INSERT INTO wish SELECT g, 'open', NULL FROM generate_series(1, 10000) g;"
  echo "== pgbench peer, load $(cut -d' ' -f1-3 /proc/loadavg)"
  examples/shared/pg-cpu.sh peer_claim -- pgbench -h 127.0.0.1 -U postgres -n -c 64 -j 2 -T 15 -f $SHARED/claim-limit.sql peer_claim 2>&1 | grep -E "^tps|latency average|pg-cpu"
  psql "$PG/postgres" -qc "DROP DATABASE peer_claim"
}
ours() {
  echo "== ours $1, load $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$1" = main ]; then export MICROWISH_BENCH_SERVER=$BASE; else unset MICROWISH_BENCH_SERVER; fi
  "$NEW" --engine postgres --duration 5 --concurrency 64 2>/dev/null | grep -E "claim\`|healthz\`|status=open\` |claims:|CPU over"
  unset MICROWISH_BENCH_SERVER
}
peer; ours new; ours main; ours new; ours main; peer
