#!/usr/bin/env bash
# The README's main-job command. Installs what is missing, builds release binaries, starts a
# coordinator and two workers on loopback, shows each node's health and status, counts the
# tokens of a real corpus, and stops the nodes gracefully.
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
trap 'stop_all' INT TERM

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

say "starting a coordinator and two workers on loopback"
start coordinator strata-coordinator --listen 127.0.0.1:7400 --data "$run_dir/coordinator"
start worker-1 strata-worker --listen 127.0.0.1:7401 --data "$run_dir/worker-1" --coordinator 127.0.0.1:7400
start worker-2 strata-worker --listen 127.0.0.1:7402 --data "$run_dir/worker-2" --coordinator 127.0.0.1:7400

for address in 127.0.0.1:7400 127.0.0.1:7401 127.0.0.1:7402; do
    say "strata health $address"
    "$bin/strata" health "$address"
done

say "strata tokens: sizing a real corpus (Python's standard library, exact cl100k_base counts)"
stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
files=("$stdlib"/json/*.py "$stdlib"/asyncio/*.py)
"$bin/strata" tokens --encoding cl100k_base "${files[@]}" | tail -n 4

if ((keep)); then
    say "nodes left running (--keep): PIDs ${pids[*]}; logs in $run_dir"
    trap - INT TERM
    exit 0
fi

say "stopping the nodes gracefully (SIGTERM)"
stop_all
grep -h "shutting down\|stopped" "$run_dir"/*.log || true
say "done: built, started 3 nodes, checked their health over grpc.health.v1, counted tokens, stopped them"
