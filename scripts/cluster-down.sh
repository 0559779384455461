#!/usr/bin/env bash
# Stops the local cluster that scripts/cluster-up.sh started: SIGTERM to every node (each
# reports NOT_SERVING, drains its calls and exits), waits, reports how each stopped, then
# gives back the shared memory of every worker's warm tier (strata-worker --remove-warm-tier).
#
#   scripts/cluster-down.sh [--data DIR] [--timeout SECONDS] [--keep-warm]
#   scripts/cluster-down.sh --hosts FILE [--timeout SECONDS] [--keep-warm] [--check]
#
# --keep-warm keeps the warm tiers in /dev/shm, so that the next cluster-up on the same data
# directory restarts warm (the workers reattach and revalidate them). With --hosts, every node
# of the hosts file is stopped on its machine over ssh (the pid file in its data directory);
# --check prints what would be stopped where.
set -euo pipefail
cd "$(dirname "$0")/.."

data=var/cluster timeout=30 hosts="" check="" data_given="" keep_warm=""
while (($#)); do
    (($# >= 2)) || [[ "$1" == -h || "$1" == --help || "$1" == --check || "$1" == --keep-warm ]] || { echo "cluster-down: $1 needs a value" >&2; exit 64; }
    case "$1" in
        --data) data=$2; data_given=1; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --hosts) hosts=$2; shift 2 ;;
        --keep-warm) keep_warm=1; shift ;;
        --check) check=1; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "cluster-down: unknown option $1" >&2; exit 64 ;;
    esac
done
[[ "$timeout" =~ ^[0-9]+$ ]] || { echo "cluster-down: --timeout must be a number of seconds" >&2; exit 64; }
if [[ -n "$hosts" ]]; then
    [[ -z "$data_given" ]] || { echo "cluster-down: --data does not apply with --hosts (each node's data directory is in the hosts file)" >&2; exit 64; }
    exec python3 scripts/lib/cluster_hosts.py down --hosts "$hosts" --timeout "$timeout" ${check:+--check} ${keep_warm:+--keep-warm}
fi
[[ -z "$check" ]] || { echo "cluster-down: --check needs --hosts FILE" >&2; exit 64; }
shopt -s nullglob
status=0
# etcd (the coordinators' control plane, with --coordinators) stops last.
pidfiles=()
for file in "$data"/*.pid; do [[ "$(basename "$file")" == etcd-* ]] || pidfiles+=("$file"); done
etcd_pidfiles=("$data"/etcd-*.pid)
stop_all() {  # stop_all PIDFILE...
    for file in "$@"; do kill -TERM "$(cat "$file")" 2>/dev/null || true; done
    for file in "$@"; do
        name=$(basename "$file" .pid) pid=$(cat "$file")
        for _ in $(seq 1 $((timeout * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "$name (pid $pid) did not stop within ${timeout}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            status=1
        else
            echo "$name stopped"
        fi
        rm -f "$file"
    done
}
if ((${#pidfiles[@]} + ${#etcd_pidfiles[@]} == 0)); then
    echo "cluster-down: no nodes recorded in $data"
else
    ((${#pidfiles[@]} == 0)) || stop_all "${pidfiles[@]}"
    ((${#etcd_pidfiles[@]} == 0)) || stop_all "${etcd_pidfiles[@]}"
fi

# A stopped worker keeps its warm tier in shared memory for a warm restart; give it back
# unless asked to keep it. The strata-worker of the build cluster-up ran knows the names.
workers=("$data"/worker-*/)
if [[ -z "$keep_warm" ]] && ((${#workers[@]})); then
    worker_bin=""
    [[ -f "$data/bin.path" ]] && worker_bin="$(cat "$data/bin.path")/strata-worker"
    [[ -x "$worker_bin" ]] || worker_bin="$(swift build -c release --show-bin-path 2>/dev/null)/strata-worker"
    if [[ ! -x "$worker_bin" ]]; then
        echo "cluster-down: strata-worker not found; the warm tiers stay in /dev/shm (strata-worker --data DIR --remove-warm-tier)" >&2
        exit 1
    fi
    for dir in "${workers[@]}"; do
        dir=${dir%/}
        if output=$("$worker_bin" --data "$dir" --remove-warm-tier 2>&1); then
            [[ "$output" == *"removed warm tier"* ]] && echo "$(basename "$dir") warm tier removed"
        else
            echo "$(basename "$dir"): warm tier not removed: $output" >&2
            status=1
        fi
    done
fi
exit $status
