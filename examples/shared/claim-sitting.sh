#!/usr/bin/env bash
# Contended claims before and after a change, in one sitting: pgbench's peer (with its backends' CPU),
# then NEW and BASE (another build's bench binary, served through MICROWISH_BENCH_SERVER) twice each,
# alternating, then the peer again. Usage: BASE=/tmp/bench-main examples/shared/claim-sitting.sh
set -u
cd "$(dirname "$0")/../.."
NEW=${NEW:-target/release/examples/bench}
BASE=${BASE:?BASE: the bench binary of the build to compare with}
export SHARED=${SHARED:-../shared/bench}
peer() { examples/shared/pgbench-peer.sh; }
ours() {
  echo "== ours $1, load $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$1" = main ]; then export MICROWISH_BENCH_SERVER=$BASE; else unset MICROWISH_BENCH_SERVER; fi
  "$NEW" --engine postgres --duration 5 --concurrency 64 2>/dev/null | grep -E "claim\`|healthz\`|status=open\` |claims:|CPU over"
  unset MICROWISH_BENCH_SERVER
}
peer; ours new; ours main; ours new; ours main; peer
