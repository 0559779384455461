#!/usr/bin/env bash
# Starts a local Strata cluster: one coordinator and N workers, each with its own data
# directory and log file, waits until every node reports SERVING over grpc.health.v1, and
# prints the endpoints. Re-running it on an existing data directory restarts the same
# cluster with its data (node ids, cluster map and stored chunks are kept).
#
#   scripts/cluster-up.sh [--workers N] [--replicas R] [--base-port P] [--data DIR] [--config FILE] [--bin DIR]
#
# Ports: the coordinator listens on P (default 7400), worker i on P+i; their Prometheus
# /metrics endpoints on P+2000 and P+2000+i (9400, 9401, ...). Stop the cluster with
# scripts/cluster-down.sh --data DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

workers=3 replicas=2 base_port=7400 data=var/cluster config="" bin=""
while (($#)); do
    case "$1" in
        --workers) workers=$2; shift 2 ;;
        --replicas) replicas=$2; shift 2 ;;
        --base-port) base_port=$2; shift 2 ;;
        --data) data=$2; shift 2 ;;
        --config) config=$2; shift 2 ;;
        --bin) bin=$2; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "cluster-up: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done
[[ "$workers" =~ ^[0-9]+$ && $workers -ge 1 ]] || { echo "cluster-up: --workers must be a positive number" >&2; exit 64; }
if [[ -z "$bin" ]]; then
    swift build -c release >/dev/null
    bin="$(swift build -c release --show-bin-path)"
fi
mkdir -p "$data"
data="$(cd "$data" && pwd)"
config_args=()
[[ -n "$config" ]] && config_args=(--config "$config")

start() {  # start NAME BINARY ARGS...
    local name=$1 binary=$2; shift 2
    if [[ -f "$data/$name.pid" ]] && kill -0 "$(cat "$data/$name.pid")" 2>/dev/null; then
        echo "cluster-up: $name is already running (pid $(cat "$data/$name.pid"))" >&2
        exit 1
    fi
    nohup "$bin/$binary" "${config_args[@]}" "$@" >> "$data/$name.log" 2>&1 &
    echo $! > "$data/$name.pid"
}

coordinator="127.0.0.1:$base_port"
start coordinator strata-coordinator --listen "$coordinator" --data "$data/coordinator" --replicas "$replicas" \
    --set "coordinator.metrics_port=$((base_port + 2000))"
addresses=("$coordinator")
for i in $(seq 1 "$workers"); do
    address="127.0.0.1:$((base_port + i))"
    start "worker-$i" strata-worker --listen "$address" --data "$data/worker-$i" --coordinator "$coordinator" \
        --set "worker.metrics_port=$((base_port + 2000 + i))"
    addresses+=("$address")
done

for address in "${addresses[@]}"; do
    for attempt in $(seq 1 150); do
        "$bin/strata" health "$address" --timeout 1 >/dev/null 2>&1 && break
        if ((attempt == 150)); then
            echo "cluster-up: $address did not report SERVING; see the logs in $data" >&2
            exit 1
        fi
        sleep 0.2
    done
done
echo "coordinator  $coordinator  (export STRATA_COORDINATOR=$coordinator)  metrics http://127.0.0.1:$((base_port + 2000))/metrics"
for i in $(seq 1 "$workers"); do echo "worker-$i     ${addresses[$i]}  metrics http://127.0.0.1:$((base_port + 2000 + i))/metrics"; done
echo "data and logs in $data"
