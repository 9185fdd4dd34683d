#!/usr/bin/env bash
# The sitting of docs/benchmarks.md's summary: the HTTP sitting (http-sitting.sh), contended claims
# between two runs of pgbench's peer (each with its backends' CPU, pg-cpu.sh), and the notifier drain
# alternating with graphile-worker. Builds: BENCH and NB (cargo build --release --example bench
# --example notifier_bench); the peers from ../shared/bench (hello built to $HELLO, graphile-worker
# installed in /tmp/peer-graphile as run-peers.sh does). Usage: examples/shared/full-sitting.sh
set -u
cd "$(dirname "$0")/../.."
export BENCH=${BENCH:-target/release/examples/bench}
NB=${NB:-target/release/examples/notifier_bench}
export SHARED=${SHARED:-../shared/bench}
PG=postgres://postgres@127.0.0.1:5432
echo "### HTTP sitting $(date -u +%H:%M:%S)"
examples/shared/http-sitting.sh sqlite
echo "### claims sitting $(date -u +%H:%M:%S)"
peer() { examples/shared/pgbench-peer.sh; }
ours() {
  echo "== ours ($1), load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$BENCH" --engine postgres --duration 5 --concurrency 64 2>/dev/null | grep -E "^\| \`|claims:|RSS|CPU over"
}
peer; ours 1; ours 2; peer
echo "### notifier sitting $(date -u +%H:%M:%S)"
gw() {
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS peer_gw" -c "CREATE DATABASE peer_gw" >/dev/null 2>&1
  echo "== graphile-worker BATCHED=$1, load $(cut -d' ' -f1-3 /proc/loadavg)"
  DATABASE_URL=$PG/peer_gw N=50000 BATCHED=$1 NODE_PATH=/tmp/peer-graphile/node_modules examples/shared/pg-cpu.sh peer_gw -- node $SHARED/peer-graphile.js 2>&1 | tail -3
  psql "$PG/postgres" -qc "DROP DATABASE peer_gw"
}
nb() {
  echo "== notifier_bench, load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$NB" --engine postgres --workers 2 --sink noop --count 50000 --batch-size 1000 2>/dev/null | grep -iE "deliver|per delivery|HOT|duplicate|sent" | head -8
}
nb; gw 1; nb; gw 1; gw 0
echo "### end $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
