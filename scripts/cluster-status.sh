#!/usr/bin/env bash
# Prints the local cluster: slots and replication, then every node.
#   scripts/cluster-status.sh [--coordinator HOST:PORT]
#   scripts/cluster-status.sh --hosts FILE [--check]
#
# With --hosts, it first lists every node of the hosts file: its process on its machine (over
# ssh) and its grpc.health.v1 state seen from here; exit code 1 when any is not SERVING.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts="" check="" passed=()
while (($#)); do
    case "$1" in
        --hosts) (($# >= 2)) || { echo "cluster-status: --hosts needs a value" >&2; exit 64; }; hosts=$2; shift 2 ;;
        --check) check=1; shift ;;
        *) passed+=("$1"); shift ;;
    esac
done
if [[ -n "$hosts" ]]; then
    ((${#passed[@]} == 0)) || { echo "cluster-status: ${passed[0]} does not apply with --hosts (the coordinator is in the hosts file)" >&2; exit 64; }
    if [[ -n "$check" ]]; then exec python3 scripts/lib/cluster_hosts.py status --hosts "$hosts" --check; fi
    bin="${STRATA_BIN:-$(swift build -c release --show-bin-path)}"
    exec python3 scripts/lib/cluster_hosts.py status --hosts "$hosts" --bin "$bin"
fi
[[ -z "$check" ]] || { echo "cluster-status: --check needs --hosts FILE" >&2; exit 64; }
bin="${STRATA_BIN:-$(swift build -c release --show-bin-path)}"
"$bin/strata" status "${passed[@]}"
echo
"$bin/strata" nodes "${passed[@]}"
