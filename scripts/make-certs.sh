#!/usr/bin/env bash
# Throw-away certificates for a Strata cluster, made with openssl (EC P-256 keys):
#
#   scripts/make-certs.sh ca DIR [NAME]            DIR/ca.pem + DIR/ca.key, a new CA
#   scripts/make-certs.sh node DIR CN OUT [SAN...] OUT.pem + OUT.key signed by DIR's CA
#
# CN names the node (docs/security.md): strata-coordinator, strata-worker:<node-id>, or
# strata-worker. SANs are the names and addresses the node is dialled by, in openssl's form
# (DNS:localhost IP:127.0.0.1); without any, DNS:localhost IP:127.0.0.1 IP:::1. Node
# certificates serve both ends of a link (serverAuth and clientAuth). Keys are written
# owner-only. For tests and for `cluster-up.sh --secure`; a real cluster uses its own PKI.
set -euo pipefail

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
days=${STRATA_CERT_DAYS:-825}
umask 077

case "${1:-}" in
    ca)
        [[ $# -ge 2 ]] || usage
        dir=$2 name=${3:-strata-test-ca}
        mkdir -p "$dir"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout "$dir/ca.key" -out "$dir/ca.pem" -days "$days" -subj "/CN=$name" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        chmod 644 "$dir/ca.pem"
        ;;
    node)
        [[ $# -ge 4 ]] || usage
        dir=$2 cn=$3 out=$4
        shift 4
        sans=("$@")
        ((${#sans[@]})) || sans=(DNS:localhost IP:127.0.0.1 IP:::1)
        [[ -f "$dir/ca.pem" && -f "$dir/ca.key" ]] || { echo "make-certs: no CA in $dir (run: $0 ca $dir)" >&2; exit 1; }
        extensions=$(mktemp)
        trap 'rm -f "$extensions" "$out.csr"' EXIT
        {
            echo "basicConstraints=critical,CA:FALSE"
            echo "keyUsage=critical,digitalSignature,keyEncipherment"
            echo "extendedKeyUsage=serverAuth,clientAuth"
            echo "subjectAltName=$(IFS=,; echo "${sans[*]}")"
        } > "$extensions"
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout "$out.key" -out "$out.csr" -subj "/CN=$cn" 2>/dev/null
        openssl x509 -req -in "$out.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
            -days "$days" -extfile "$extensions" -out "$out.pem" 2>/dev/null
        chmod 644 "$out.pem"
        ;;
    *) usage ;;
esac
