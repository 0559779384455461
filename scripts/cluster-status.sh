#!/usr/bin/env bash
# Prints the local cluster: slots and replication, then every node.
#   scripts/cluster-status.sh [--coordinator HOST:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${STRATA_BIN:-$(swift build -c release --show-bin-path)}"
"$bin/strata" status "$@"
echo
"$bin/strata" nodes "$@"
