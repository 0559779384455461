#!/bin/bash
# Where a query's time goes: a steady load of one query mode through `strata-bench service`
# (1M tokens from the bench cache, the cache's queries repeated 48 times), then `perf stat`
# (CPU, context switches, syscalls) of the client, the coordinator and each worker for 8 s,
# and `perf record -g` of all of them for 8 s. Needs perf and a release build.
#
#   scripts/bench/profile_query.sh BIN_DIR MODE WORKERS REPLICAS OUT_DIR
#     e.g. scripts/bench/profile_query.sh .build/release vector 1 1 var/profile-vector
#   then: perf report -i OUT_DIR/perf.data --no-children --sort pid,sym
#
# Divide the perf stat counts by the queries in the window (the queries/s in OUT_DIR/bench.log
# times 8 s). CACHE (default var/bench-cache) holds scripts/bench.sh's chunk, vector and query files.
set -eu
BIN=$1; MODE=$2; W=$3; R=$4; OUT=$5
CACHE=${CACHE:-var/bench-cache}
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/profile-query.XXXX")
trap 'rm -rf "$WORK"' EXIT
for _ in $(seq 1 48); do cat "$CACHE"/queries-v1-*-220.jsonl; done > "$WORK/queries.jsonl"
"$BIN/strata-bench" service --chunks "$(ls "$CACHE"/chunks-v1-*.jsonl | head -1)" --limit-tokens 1000000 \
  --vectors "$(ls "$CACHE"/minilm-v1-*.f32 | head -1)" --workers "$W" --replicas "$R" --queries "$WORK/queries.jsonl" \
  --warmup 20 --modes "$MODE" --work-dir "$WORK" > "$OUT/bench.log" 2>&1 &
BENCH=$!
for _ in $(seq 1 300); do
  pgrep -P $BENCH -x strata-worker > /dev/null && break
  sleep 1
done
sleep "${SETTLE:-18}"  # the ingest (a few seconds at 1M tokens), then queries
: > "$OUT/pids"
for p in $BENCH $(pgrep -P $BENCH); do
  echo "$p $(cat /proc/$p/comm)" >> "$OUT/pids"
  perf stat -e task-clock,context-switches,cpu-migrations,raw_syscalls:sys_enter -p "$p" -o "$OUT/stat-$p.txt" -- sleep 8 &
done
sleep 8.5
perf record -F 2000 -g -p "$(pgrep -P $BENCH | tr '\n' ',')$BENCH" -o "$OUT/perf.data" -- sleep 8 2> "$OUT/record.err"
wait $BENCH
grep "top-10" "$OUT/bench.log"
