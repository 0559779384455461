# The --secure part of scripts/cluster-up.sh (sourced): certificates, the first admin token,
# the nodes' security settings, and how the CLI uses them. See docs/security.md.

# secure_setup DATA [COORDINATORS]: makes DATA/pki (once: a restart keeps the CA, the
# certificates and the
# tokens) and sets coordinator_security, worker_security (arrays of node flags), and exports
# STRATA_CA / STRATA_TOKEN_FILE / STRATA_CERT / STRATA_KEY for the script's own CLI calls
# (health probes present the coordinator's certificate: worker status is a node RPC).
secure_setup() {
    local data=$1 pki=$1/pki coordinators=${2:-1}
    if [[ ! -f "$pki/ca.pem" ]]; then
        command -v openssl >/dev/null || { echo "cluster-up: --secure needs openssl (scripts/install-deps.sh)" >&2; exit 1; }
        scripts/make-certs.sh ca "$pki" strata-cluster-ca
        scripts/make-certs.sh node "$pki" strata-coordinator "$pki/coordinator" DNS:localhost IP:127.0.0.1 IP:::1
        scripts/make-certs.sh node "$pki" strata-worker "$pki/worker" DNS:localhost IP:127.0.0.1 IP:::1
    fi
    local tls_common=(--set "tls.ca_file=$pki/ca.pem")
    coordinator_security=("${tls_common[@]}" --set "tls.cert_file=$pki/coordinator.pem" --set "tls.key_file=$pki/coordinator.key"
        --set auth.enabled=true --set "auth.bootstrap_token_file=$pki/admin.token" --set metrics.require_token=true)
    # Workers check scrapes against the coordinators' token files (same machine): one
    # coordinator's, or with several (sharing etcd) every one's copy of the shared registry,
    # of which the highest revision decides.
    local tokens_files="$data/coordinator/tokens.json"
    if ((coordinators > 1)); then
        tokens_files=$(for k in $(seq 1 "$coordinators"); do echo "$data/coordinator-$k/tokens.json"; done | paste -sd,)
    fi
    worker_security=("${tls_common[@]}" --set "tls.cert_file=$pki/worker.pem" --set "tls.key_file=$pki/worker.key"
        --set auth.enabled=true --set "auth.tokens_file=$tokens_files" --set metrics.require_token=true)
    export STRATA_CA="$pki/ca.pem" STRATA_TOKEN_FILE="$pki/admin.token"
    export STRATA_CERT="$pki/coordinator.pem" STRATA_KEY="$pki/coordinator.key"
}

# secure_usage COORDINATOR: what the user runs next.
secure_usage() {
    local pki=$(dirname "$STRATA_CA")
    echo "secure: TLS + mutual TLS between nodes + client tokens; CA, certificates and the admin token in $pki"
    echo "  export STRATA_COORDINATOR=$1 STRATA_CA=$pki/ca.pem STRATA_TOKEN_FILE=$pki/admin.token"
    echo "  strata status                                           # admin token"
    echo "  strata token create --name ci --scope read:docs          # prints a token once; strata token list / revoke NAME"
    echo "  curl -H \"Authorization: Bearer \$(cat $pki/admin.token)\" http://127.0.0.1:<metrics port>/metrics"
}
