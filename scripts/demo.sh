#!/usr/bin/env bash
# The README's main-job command. Installs what is missing, builds release binaries, starts a
# coordinator and three workers on loopback, ingests part of Python's standard library, runs
# queries that show the assembled context with provenance, ingests Strata's own docs into a
# namespace the cluster embeds itself and answers a paraphrased question lexically and
# hybrid side by side, kills a worker to show recovery, and stops the nodes gracefully.
#
#   ./scripts/demo.sh [--keep]    --keep leaves the nodes running (stop them with kill -TERM)
set -euo pipefail
cd "$(dirname "$0")/.."

keep=0
[[ "${1:-}" == "--keep" ]] && keep=1

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "installing what is missing"
./scripts/install-deps.sh

say "building release binaries"
swift build -c release 2>&1 | grep -E 'error|warning: |Compiling|Build complete' | grep -vE '^\[[0-9]+/[0-9]+\] Compiling' || true
bin="$(swift build -c release --show-bin-path)"
[[ -x "$bin/strata-worker" ]] || { echo "demo: build failed" >&2; exit 1; }

run_dir="var/demo"
rm -rf "$run_dir"
mkdir -p "$run_dir"
pids=()
stop_all() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
# Whatever way the demo ends, its nodes stop and its workers' warm tiers leave /dev/shm (a
# graceful stop keeps them for a warm restart that never comes here).
finish() {
    stop_all
    for n in 1 2 3; do
        [[ -d "$run_dir/worker-$n" ]] && "$bin/strata-worker" --data "$run_dir/worker-$n" --remove-warm-tier >/dev/null 2>&1 || true
    done
}
trap 'finish' EXIT INT TERM

start() {  # start NAME BINARY ARGS...
    local name=$1 binary=$2; shift 2
    "$bin/$binary" "$@" > "$run_dir/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        grep -q "serving on" "$run_dir/$name.log" 2>/dev/null && { echo "started $name: $(grep -o 'serving on .*' "$run_dir/$name.log")"; return; }
        sleep 0.1
    done
    echo "demo: $name did not start:" >&2; cat "$run_dir/$name.log" >&2; stop_all; exit 1
}

export STRATA_COORDINATOR=127.0.0.1:7400
strata() { "$bin/strata" "$@"; }

say "starting a coordinator and three workers on loopback (2 replicas per slot)"
start coordinator strata-coordinator --listen 127.0.0.1:7400 --data "$run_dir/coordinator" --replicas 2 \
    --set coordinator.suspect_after_ms=1000 --set coordinator.dead_after_ms=3000
for n in 1 2 3; do
    start "worker-$n" strata-worker --listen "127.0.0.1:740$n" --data "$run_dir/worker-$n" --coordinator 127.0.0.1:7400
done
# Up means ready for a write: all three workers serving and every slot's replicas placed.
strata status --wait-ready 60 --expect-workers 127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403 >/dev/null \
    || { echo "demo: the cluster did not become ready; logs in $run_dir" >&2; exit 1; }

say "strata nodes"
strata nodes

say "strata health 127.0.0.1:7401 (one worker in full: tiers, WAL, slots)"
strata health 127.0.0.1:7401 || true

say "ingesting a real corpus: Python's standard library (without its tests and installed packages)"
stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
strata namespace create stdlib --tokenizer cl100k_base
strata ingest --namespace stdlib "$stdlib" --ignore 'site-packages/' --ignore 'test/' --ignore 'tests/' --ignore 'idlelib/' --ignore '*.exe' 
strata namespace list

for question in "parse a JSON document from a string" "how does the event loop schedule callbacks"; do
    say "strata query \"$question\" --budget 1500"
    strata query --namespace stdlib --budget 1500 "$question" > "$run_dir/answer.txt"
    head -n 60 "$run_dir/answer.txt"
done

say "server-side embedding: the cluster embeds the text itself (all-MiniLM-L6-v2 in Swift on the CPU)"
strata namespace create handbook --tokenizer cl100k_base --embedder minilm-l6
strata ingest --namespace handbook docs/ README.md
echo "acknowledged: searchable lexically now; the coordinator embeds the chunks in the background"
for _ in $(seq 1 600); do
    strata namespace list --json | python3 -c 'import json, sys; sys.exit(0 if all(n["embedding_backlog"] == "0" for n in json.load(sys.stdin) if n["name"] == "handbook") else 1)' && break
    sleep 0.5
done
strata namespace list
strata status | grep '^embedding' || true
question="what happens to my data if a machine dies"
say "a paraphrased question, lexical only: strata query --mode lexical \"$question\" --budget 300"
strata query --namespace handbook --mode lexical --budget 300 "$question" | head -n 14
say "the same question, hybrid (the default of a namespace with an embedder)"
strata query --namespace handbook --budget 300 "$question" | head -n 14

say "killing worker-3 with SIGKILL to show recovery"
kill -KILL "${pids[3]}" 2>/dev/null || true
wait "${pids[3]}" 2>/dev/null || true
for _ in $(seq 1 50); do
    strata status | grep -q "1 dead" && break
    sleep 0.2
done
strata status
for second in $(seq 1 120); do
    strata status | grep -q "under-replicated: 0, unavailable: 0" && break
    ((second % 5 == 0)) && strata status | grep "under-replicated"
    sleep 1
done
say "after recovery"
strata status
strata query --namespace stdlib --budget 400 "parse a JSON document from a string" > "$run_dir/answer.txt"
tail -n 3 "$run_dir/answer.txt"

if ((keep)); then
    say "nodes left running (--keep): PIDs ${pids[*]}; logs in $run_dir; try: $bin/strata query --namespace stdlib \"...\""
    echo "stop them with kill -TERM, then give their warm tiers back: $bin/strata-worker --data $run_dir/worker-N --remove-warm-tier"
    trap - EXIT INT TERM
    exit 0
fi

say "stopping the nodes gracefully (SIGTERM)"
stop_all
grep -h "shutting down" "$run_dir"/*.log || true
# A graceful stop keeps each worker's warm tier in shared memory for a fast restart; the demo's
# workers do not come back, so give that memory back.
for n in 1 2 3; do "$bin/strata-worker" --data "$run_dir/worker-$n" --remove-warm-tier; done
trap - EXIT INT TERM
say "done: built, started a 3-worker cluster, ingested a real corpus, queried it, survived a worker's SIGKILL, stopped"
