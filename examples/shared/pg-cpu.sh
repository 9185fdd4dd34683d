#!/usr/bin/env bash
# CPU time the PostgreSQL backends serving one database used while a command ran, for judging
# work per operation on a shared machine (wall-clock rates are noise there; CPU per job is not).
#   examples/shared/pg-cpu.sh DATABASE -- COMMAND...
# Samples pg_stat_activity every 50 ms, keeps each backend's latest utime+stime from /proc (so a
# backend that ends mid-run counts up to its last sample), and prints the sum with the command's
# own CPU (its process tree, from `time`) and the database's commits, when the command ends.
# A backend that was already running before the command counts only from its first sample.
set -euo pipefail
status=0
db="$1"; shift; [ "$1" = "--" ] && shift
pg="${PG:-postgres://postgres@127.0.0.1:5432}"
tick=$(getconf CLK_TCK)
state=$(mktemp); : > "$state"
commits() { psql "$pg/postgres" -tAc "SELECT COALESCE(SUM(xact_commit), 0) FROM pg_stat_database WHERE datname = '$db'"; }
sampler() {
  declare -A first last
  trap 'total=0; for p in "${!last[@]}"; do total=$((total + last[$p] - first[$p])); done; echo "$total" > "$state"; exit 0' TERM
  while :; do
    for p in $(psql "$pg/postgres" -tAc "SELECT pid FROM pg_stat_activity WHERE datname = '$db'" 2>/dev/null); do
      if { read -r -a f < "/proc/$p/stat"; } 2>/dev/null; then
        # Fields 14 and 15 (utime, stime) counted after the ")" that ends the command name.
        rest="${f[*]}"; rest="${rest##*) }"; read -r -a g <<< "$rest"
        t=$(( g[11] + g[12] ))
        [ -z "${first[$p]:-}" ] && first[$p]=$t
        last[$p]=$t
      fi
    done
    sleep 0.05 & wait $!
  done
}
c0=$(commits 2>/dev/null || echo 0)
sampler & spid=$!
start=$(date +%s.%N)
/usr/bin/time -f '%U %S' -o "$state.time" "$@" || status=$?
end=$(date +%s.%N)
c1=$(commits 2>/dev/null || echo 0)
kill -TERM "$spid"; wait "$spid" 2>/dev/null || true
sleep 0.2
read -r u s < <(tail -1 "$state.time") || { u=0; s=0; }
awk -v t="$(cat "$state")" -v hz="$tick" -v u="$u" -v s="$s" -v w0="$start" -v w1="$end" -v c="$((c1 - c0))" \
  'BEGIN { printf "pg-cpu: backends %.2f s, command %.2f s (user %.2f + sys %.2f), wall %.2f s, commits %d\n", t / hz, u + s, u, s, w1 - w0, c }'
rm -f "$state" "$state.time"
exit "$status"
