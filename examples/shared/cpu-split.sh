#!/usr/bin/env bash
# The CPU of one wrk -t2 -c64 -d6s run, per request, on both sides: the server's (utime + stime
# of PID from /proc) and wrk's own (/usr/bin/time). Usage: examples/shared/cpu-split.sh PID URL [wrk options]
set -u
PID=$1; URL=$2; shift 2
t0=$(awk '{print $14+$15}' /proc/$PID/stat)
out=$( { /usr/bin/time -f "%U %S" wrk -t2 -c64 -d6s "$@" "$URL"; } 2>&1 )
t1=$(awk '{print $14+$15}' /proc/$PID/stat)
req=$(echo "$out" | awk '/requests in/{print $1}')
rate=$(echo "$out" | awk '/Requests\/sec/{print $2}')
python3 - "$t0" "$t1" "$req" "$rate" $(echo "$out" | tail -1) <<'PY'
import os, sys
t0, t1, req, rate, user, system = sys.argv[1:7]
tick = os.sysconf("SC_CLK_TCK")
server = (float(t1) - float(t0)) / tick
print(f"rate {float(rate):.0f}/s  server {server / int(req) * 1e6:.1f} µs/req  wrk {(float(user) + float(system)) / int(req) * 1e6:.1f} µs/req")
PY
