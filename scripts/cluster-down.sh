#!/usr/bin/env bash
# Stops the local cluster that scripts/cluster-up.sh started: SIGTERM to every node (each
# reports NOT_SERVING, drains its calls and exits), waits, and reports how each stopped.
#
#   scripts/cluster-down.sh [--data DIR] [--timeout SECONDS]
#   scripts/cluster-down.sh --hosts FILE [--timeout SECONDS] [--check]
#
# With --hosts, every node of the hosts file is stopped on its machine over ssh (the pid file
# in its data directory); --check prints what would be stopped where.
set -euo pipefail
cd "$(dirname "$0")/.."

data=var/cluster timeout=30 hosts="" check="" data_given=""
while (($#)); do
    (($# >= 2)) || [[ "$1" == -h || "$1" == --help || "$1" == --check ]] || { echo "cluster-down: $1 needs a value" >&2; exit 64; }
    case "$1" in
        --data) data=$2; data_given=1; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --hosts) hosts=$2; shift 2 ;;
        --check) check=1; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "cluster-down: unknown option $1" >&2; exit 64 ;;
    esac
done
if [[ -n "$hosts" ]]; then
    [[ -z "$data_given" ]] || { echo "cluster-down: --data does not apply with --hosts (each node's data directory is in the hosts file)" >&2; exit 64; }
    [[ "$timeout" =~ ^[0-9]+$ ]] || { echo "cluster-down: --timeout must be a number of seconds" >&2; exit 64; }
    exec python3 scripts/lib/cluster_hosts.py down --hosts "$hosts" --timeout "$timeout" ${check:+--check}
fi
[[ -z "$check" ]] || { echo "cluster-down: --check needs --hosts FILE" >&2; exit 64; }
shopt -s nullglob
pidfiles=("$data"/*.pid)
((${#pidfiles[@]})) || { echo "cluster-down: no nodes recorded in $data"; exit 0; }
for file in "${pidfiles[@]}"; do kill -TERM "$(cat "$file")" 2>/dev/null || true; done
status=0
for file in "${pidfiles[@]}"; do
    name=$(basename "$file" .pid) pid=$(cat "$file")
    for _ in $(seq 1 $((timeout * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$name (pid $pid) did not stop within ${timeout}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        status=1
    else
        echo "$name stopped"
    fi
    rm -f "$file"
done
exit $status
