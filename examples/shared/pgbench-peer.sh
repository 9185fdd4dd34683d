#!/usr/bin/env bash
# pgbench's peer for contended claims, as ../shared/bench/run-peers.sh runs it (one-row guarded UPDATE
# on 10,000 rows, 64 clients, 15 s), with the CPU its backends used (pg-cpu.sh), for the sittings.
# Usage: examples/shared/pgbench-peer.sh   (SHARED: the peers' folder, default ../shared/bench)
set -u
cd "$(dirname "$0")/../.."
SHARED=${SHARED:-../shared/bench}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS peer_claim" -c "CREATE DATABASE peer_claim" >/dev/null 2>&1
psql "$PG/peer_claim" -qc "CREATE TABLE wish(id bigint PRIMARY KEY, status text, volunteer_id bigint);
    INSERT INTO wish SELECT g, 'open', NULL FROM generate_series(1, 10000) g;"
echo "== pgbench peer, load $(cut -d' ' -f1-3 /proc/loadavg)"
examples/shared/pg-cpu.sh peer_claim -- pgbench -h 127.0.0.1 -U postgres -n -c 64 -j 2 -T 15 \
  -f "$SHARED/claim-limit.sql" peer_claim 2>&1 | grep -E "^tps|latency average|pg-cpu"
psql "$PG/postgres" -qc "DROP DATABASE peer_claim"
