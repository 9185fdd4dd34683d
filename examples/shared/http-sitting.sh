#!/usr/bin/env bash
# The HTTP sitting of docs/benchmarks.md: poem hello-world (../shared/bench/hello, built to $HELLO), then
# our /healthz and the hot list under wrk on the bench's seeded server ($BENCH, built with
# `cargo build --release --example bench`), its RSS idle, after load and with 1,000 idle keep-alive
# connections (idle-conns.py beside this script). Usage: examples/shared/http-sitting.sh [sqlite|postgres]
set -u
ulimit -n 8192
HELLO=${HELLO:-/tmp/hello-ceiling-target/release/hello-ceiling}
BENCH=${BENCH:-target/release/examples/bench}
engine=${1:-sqlite}
rss() { grep VmRSS /proc/$1/status | awk '{printf "%.1f MiB", $2/1024}'; }
W() { echo "load $(cut -d' ' -f1-3 /proc/loadavg)"; wrk -t2 -c64 -d8s --latency "$@" | grep -E "Requests/sec|99%|Non-2xx|Socket errors"; }
"$HELLO" 127.0.0.1:9801 & hp=$!; sleep 1
echo "== hello-world /hello (RSS idle $(rss $hp))"; W http://127.0.0.1:9801/hello; echo "hello RSS after: $(rss $hp)"
kill $hp
# a fresh file: the background job truncates it only once it runs, and an old HOLD line would be read first
rm -f /tmp/http-sitting-$engine.err
MICROWISH_BENCH_HOLD=75 "$BENCH" --engine $engine --duration 5 --concurrency 64 > /tmp/http-sitting-$engine.out 2> /tmp/http-sitting-$engine.err & bp=$!
# stderr is unbuffered, so the line may arrive in pieces: wait for all of it
until grep -qE "^bench: HOLD [^ ]+ [^ ]+ [0-9]+$" /tmp/http-sitting-$engine.err; do sleep 0.5; done; sleep 0.2
read -r _ _ base token spid < <(grep "bench: HOLD" /tmp/http-sitting-$engine.err)
echo "== microwish ($engine) at $base, server pid $spid, RSS idle $(rss $spid)"
echo "== /healthz"; W $base/healthz
echo "== /api/v1/wishes?status=open"; W -H "Authorization: Bearer $token" "$base/api/v1/wishes?status=open"
echo "RSS after load: $(rss $spid)"
hostport=${base#http://}
python3 "$(dirname "$0")/idle-conns.py" ${hostport%:*} ${hostport#*:} "/api/v1/wishes?status=open" $token 1000 8 & ip=$!
sleep 6; echo "RSS with 1,000 idle keep-alive connections: $(rss $spid)"; wait $ip
echo "RSS after they closed: $(rss $spid)"
"$HELLO" 127.0.0.1:9801 & hp=$!; sleep 1
echo "== hello-world again"; W http://127.0.0.1:9801/hello; kill $hp
wait $bp; echo "bench exit $?"
