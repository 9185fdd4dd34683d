#!/usr/bin/env bash
# Idle memory of `microwish serve` itself: a fresh SQLite in a temporary folder, the notifier and
# the scheduler in-process, VmRSS (anonymous, file-backed) 6 s after start.
# Usage: examples/shared/serve-rss.sh [BINARY] [VAR=value ...]   (BINARY: target/release/microwish)
set -u
BIN=${1:-target/release/microwish}; shift || true
BIN=$(realpath "$BIN")
D=$(mktemp -d); cd "$D"
env "$@" MICROWISH__DATABASE__URL=sqlite:$D/mw.db MICROWISH__SERVER__BIND=127.0.0.1:18089 "$BIN" serve >"$D/log" 2>&1 &
P=$!
sleep 6
grep -E "VmRSS|RssAnon|RssFile" /proc/$P/status | tr -s '\t\n' '  '; echo " threads=$(ls /proc/$P/task | wc -l)"
kill $P; wait $P 2>/dev/null; rm -rf "$D"
