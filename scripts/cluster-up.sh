#!/usr/bin/env bash
# Starts a local Strata cluster: one coordinator and N workers, each with its own data
# directory and log file, and returns once the cluster can take a write: every node reports
# SERVING over grpc.health.v1, the coordinator lists every started worker as serving, and
# every slot has its replicas placed (`strata status --wait-ready`). Prints the endpoints.
# Re-running it on an existing data directory restarts the same cluster with its data (node
# ids, cluster map, stored chunks and, after cluster-down --keep-warm, the warm tiers).
#
#   scripts/cluster-up.sh [--workers N] [--replicas R] [--coordinators C [--etcd-members 1|3]] [--base-port P] [--data DIR] [--config FILE] [--bin DIR] [--wait SECONDS] [--secure]
#   scripts/cluster-up.sh --hosts FILE [--replicas R] [--bin DIR] [--wait SECONDS] [--check]
#
# --wait bounds the wait for readiness (default 60 s); when it runs out the script names the
# node(s) still missing, leaves the nodes running for inspection and exits 1.
# Ports: the coordinator listens on P (default 7400), worker i on P+i; their Prometheus
# /metrics endpoints on P+2000 and P+2000+i (9400, 9401, ...). --coordinators C > 1 starts
# etcd (--etcd-members, default 1; 3 for a real quorum; clients on P+1000+2m) under the
# data directory and C coordinators sharing it (coordinator k on P+100(k-1), metrics
# P+2000+100(k-1)): one leads, the others follow and take over when it fails. Stop the cluster with
# scripts/cluster-down.sh --data DIR. With --hosts, each node starts on the machine the
# hosts file names, over ssh (config/cluster.example.json, docs/deploy.md); --check prints
# what would run where and starts nothing. Relative paths are relative to the repository.
# --secure (docs/security.md): a throw-away CA and node certificates (scripts/make-certs.sh;
# kept for restarts), TLS on every port, mutual TLS between nodes, client tokens, the first
# admin token in PKI/admin.token, /metrics behind a token (local nodes), and with --coordinators
# etcd's client port over mutual TLS (PKI/etcd.pem; coordinators present their certificate); prints the CLI's
# STRATA_CA / STRATA_TOKEN_FILE. PKI is DIR/pki, or with --hosts $STRATA_HOSTS_PKI (default
# var/hosts-pki), each node's files sent to its host in its data directory's pki/.
set -euo pipefail
cd "$(dirname "$0")/.."

workers=3 replicas=2 base_port=7400 data=var/cluster config="" bin=""
hosts="" check="" wait=60 replicas_given="" local_only=() secure="" coordinators=1 etcd_members=1
while (($#)); do
    (($# >= 2)) || [[ "$1" == -h || "$1" == --help || "$1" == --check || "$1" == --secure ]] || { echo "cluster-up: $1 needs a value" >&2; exit 64; }
    case "$1" in
        --workers) workers=$2; local_only+=("$1"); shift 2 ;;
        --replicas) replicas=$2; replicas_given=1; shift 2 ;;
        --coordinators) coordinators=$2; local_only+=("$1"); shift 2 ;;
        --etcd-members) etcd_members=$2; local_only+=("$1"); shift 2 ;;
        --base-port) base_port=$2; local_only+=("$1"); shift 2 ;;
        --data) data=$2; local_only+=("$1"); shift 2 ;;
        --config) config=$2; local_only+=("$1"); shift 2 ;;
        --bin) bin=$2; shift 2 ;;
        --hosts) hosts=$2; shift 2 ;;
        --wait) wait=$2; shift 2 ;;
        --check) check=1; shift ;;
        --secure) secure=1; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        *) echo "cluster-up: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done
[[ "$workers" =~ ^[0-9]+$ && $workers -ge 1 ]] || { echo "cluster-up: --workers must be a positive number" >&2; exit 64; }
[[ "$replicas" =~ ^[0-9]+$ && $replicas -ge 1 ]] || { echo "cluster-up: --replicas must be a positive number" >&2; exit 64; }
[[ "$wait" =~ ^[0-9]+$ && $wait -ge 1 ]] || { echo "cluster-up: --wait must be a positive number of seconds" >&2; exit 64; }
[[ "$coordinators" =~ ^[1-9]$ ]] || { echo "cluster-up: --coordinators must be 1 to 9" >&2; exit 64; }
[[ "$etcd_members" == 1 || "$etcd_members" == 3 ]] || { echo "cluster-up: --etcd-members must be 1 or 3" >&2; exit 64; }
if [[ -n "$hosts" ]]; then
    # The hosts file places every node; the flags that place local nodes would contradict it.
    ((${#local_only[@]} == 0)) || { echo "cluster-up: ${local_only[0]} does not apply with --hosts (the hosts file places every node)" >&2; exit 64; }
    args=(up --hosts "$hosts" --wait "$wait")
    [[ -n "$replicas_given" ]] && args+=(--replicas "$replicas")
    [[ -n "$secure" ]] && args+=(--secure --pki "${STRATA_HOSTS_PKI:-var/hosts-pki}")
    if [[ -n "$check" ]]; then exec python3 scripts/lib/cluster_hosts.py "${args[@]}" --check; fi
    if [[ -z "$bin" ]]; then
        swift build -c release >/dev/null
        bin="$(swift build -c release --show-bin-path)"
    fi
    exec python3 scripts/lib/cluster_hosts.py "${args[@]}" --bin "$bin"
fi
[[ -z "$check" ]] || { echo "cluster-up: --check needs --hosts FILE" >&2; exit 64; }
if [[ -z "$bin" ]]; then
    swift build -c release >/dev/null
    bin="$(swift build -c release --show-bin-path)"
fi
mkdir -p "$data"
data="$(cd "$data" && pwd)"
bin="$(cd "$bin" && pwd)"
# cluster-down.sh gives the workers' warm tiers back with this build's strata-worker.
echo "$bin" > "$data/bin.path"
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

coordinator_security=() worker_security=() scrape_header=""
if [[ -n "$secure" ]]; then
    source scripts/lib/cluster_secure.sh
    secure_setup "$data" "$coordinators"
fi

names=() addresses=() worker_addresses=() coordinator_addresses=()
coordinator_args=()
if ((coordinators > 1)); then
    # The control plane: etcd members under the data directory (the etcd-server package).
    command -v etcd >/dev/null || { echo "cluster-up: --coordinators needs etcd (apt-get install etcd-server; scripts/install-deps.sh does)" >&2; exit 1; }
    peers=() endpoints=() etcd_scheme=http etcd_tls=() etcdctl_tls=()
    if [[ -n "$secure" ]]; then
        # etcd's client port over mutual TLS with the cluster's CA (peers stay on loopback).
        pki=$data/pki
        [[ -f "$pki/etcd.pem" ]] || scripts/make-certs.sh node "$pki" etcd "$pki/etcd" DNS:localhost IP:127.0.0.1
        etcd_scheme=https
        etcd_tls=(--cert-file "$pki/etcd.pem" --key-file "$pki/etcd.key" --trusted-ca-file "$pki/ca.pem" --client-cert-auth)
        etcdctl_tls=(--cacert "$pki/ca.pem" --cert "$pki/coordinator.pem" --key "$pki/coordinator.key")
        coordinator_args=(--set "coordinator.etcd_ca_file=$pki/ca.pem" --set "coordinator.etcd_cert_file=$pki/coordinator.pem"
            --set "coordinator.etcd_key_file=$pki/coordinator.key")
    fi
    for m in $(seq 1 "$etcd_members"); do
        peers+=("etcd-$m=http://127.0.0.1:$((base_port + 1001 + 2 * (m - 1)))")
        endpoints+=("127.0.0.1:$((base_port + 1000 + 2 * (m - 1)))")
    done
    for m in $(seq 1 "$etcd_members"); do
        client="${endpoints[$((m - 1))]}" peer="127.0.0.1:$((base_port + 1001 + 2 * (m - 1)))"
        if [[ -f "$data/etcd-$m.pid" ]] && kill -0 "$(cat "$data/etcd-$m.pid")" 2>/dev/null; then
            echo "cluster-up: etcd-$m is already running (pid $(cat "$data/etcd-$m.pid"))" >&2
            exit 1
        fi
        nohup etcd --name "etcd-$m" --data-dir "$data/etcd-$m" \
            --listen-client-urls "$etcd_scheme://$client" --advertise-client-urls "$etcd_scheme://$client" "${etcd_tls[@]}" \
            --listen-peer-urls "http://$peer" --initial-advertise-peer-urls "http://$peer" \
            --initial-cluster "$(IFS=,; echo "${peers[*]}")" --initial-cluster-state new \
            --max-txn-ops 1024 --auto-compaction-mode revision --auto-compaction-retention 10000 \
            >> "$data/etcd-$m.log" 2>&1 &
        echo $! > "$data/etcd-$m.pid"
    done
    etcd_endpoints=$(IFS=,; echo "${endpoints[*]}")
    deadline=$((SECONDS + wait))
    until ETCDCTL_API=3 etcdctl --endpoints "$etcd_endpoints" "${etcdctl_tls[@]}" --command-timeout 1s endpoint health >/dev/null 2>&1; do
        for m in $(seq 1 "$etcd_members"); do
            # A member that exits (its port taken, a bad data directory) is reported at once.
            if ! kill -0 "$(cat "$data/etcd-$m.pid")" 2>/dev/null; then
                echo "cluster-up: etcd-$m exited at start (stop the rest: scripts/cluster-down.sh --data $data); last lines of $data/etcd-$m.log:" >&2
                tail -n 5 "$data/etcd-$m.log" | sed 's/^/    /' >&2
                exit 1
            fi
        done
        if ((SECONDS >= deadline)); then
            echo "cluster-up: etcd ($etcd_endpoints) is not healthy within ${wait}s; see $data/etcd-*.log (stop it: scripts/cluster-down.sh --data $data)" >&2
            exit 1
        fi
        sleep 0.2
    done
    coordinator_args+=(--set "coordinator.etcd_endpoints=$etcd_endpoints")
    for k in $(seq 1 "$coordinators"); do
        coordinator_addresses+=("127.0.0.1:$((base_port + 100 * (k - 1)))")
    done
else
    coordinator_addresses=("127.0.0.1:$base_port")
fi
coordinator=$(IFS=,; echo "${coordinator_addresses[*]}")
for k in $(seq 1 "$coordinators"); do
    name=coordinator
    ((coordinators > 1)) && name="coordinator-$k"
    address=${coordinator_addresses[$((k - 1))]}
    start "$name" strata-coordinator --listen "$address" --data "$data/$name" --replicas "$replicas" \
        --set "coordinator.metrics_port=$((base_port + 2000 + 100 * (k - 1)))" "${coordinator_args[@]}" "${coordinator_security[@]}"
    names+=("$name") addresses+=("$address")
done
for i in $(seq 1 "$workers"); do
    address="127.0.0.1:$((base_port + i))"
    start "worker-$i" strata-worker --listen "$address" --data "$data/worker-$i" --coordinator "$coordinator" \
        --set "worker.metrics_port=$((base_port + 2000 + i))" "${worker_security[@]}"
    names+=("worker-$i") addresses+=("$address") worker_addresses+=("$address")
done

# Every node SERVING (a node that exits is reported at once, with its log), then the
# coordinator's own view: every started worker serving and every slot's replicas placed.
deadline=$((SECONDS + wait))
for index in "${!names[@]}"; do
    name=${names[$index]} address=${addresses[$index]}
    until "$bin/strata" health "$address" --timeout 1 >/dev/null 2>&1; do
        if ! kill -0 "$(cat "$data/$name.pid")" 2>/dev/null; then
            echo "cluster-up: $name ($address) exited at start; last lines of $data/$name.log:" >&2
            tail -n 5 "$data/$name.log" | sed 's/^/    /' >&2
            exit 1
        fi
        if ((SECONDS >= deadline)); then
            echo "cluster-up: $name ($address) did not report SERVING within ${wait}s; see $data/$name.log (the nodes are left running: scripts/cluster-down.sh --data $data)" >&2
            exit 1
        fi
        sleep 0.2
    done
done
left=$((deadline - SECONDS))
((left >= 1)) || left=1
if ! "$bin/strata" status --coordinator "$coordinator" --wait-ready "$left" \
        --expect-workers "$(IFS=,; echo "${worker_addresses[*]}")" >/dev/null; then
    echo "cluster-up: the cluster could not take a write within ${wait}s (see the line above; logs in $data; the nodes are left running: scripts/cluster-down.sh --data $data)" >&2
    exit 1
fi
for k in $(seq 1 "$coordinators"); do
    echo "${names[$((k - 1))]}  ${coordinator_addresses[$((k - 1))]}  metrics http://127.0.0.1:$((base_port + 2000 + 100 * (k - 1)))/metrics"
done
echo "export STRATA_COORDINATOR=$coordinator"
((coordinators > 1)) && echo "etcd         $etcd_endpoints  (control plane of the $coordinators coordinators)"
for i in $(seq 1 "$workers"); do echo "worker-$i     ${worker_addresses[$((i - 1))]}  metrics http://127.0.0.1:$((base_port + 2000 + i))/metrics"; done
echo "data and logs in $data"
[[ -z "$secure" ]] || secure_usage "$coordinator"
