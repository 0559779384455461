#!/usr/bin/env bash
# Stops the local cluster that scripts/cluster-up.sh started: SIGTERM to every node (each
# reports NOT_SERVING, drains its calls and exits), waits, and reports how each stopped.
#
#   scripts/cluster-down.sh [--data DIR] [--timeout SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

data=var/cluster timeout=30
while (($#)); do
    case "$1" in
        --data) data=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        *) echo "cluster-down: unknown option $1" >&2; exit 64 ;;
    esac
done
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
