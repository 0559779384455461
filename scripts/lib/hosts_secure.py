"""The --secure side of `cluster-up.sh --hosts` (docs/security.md): certificates made here with
scripts/make-certs.sh (openssl) and sent to each host inside its start script, so nothing but
the usual ssh is needed.

The local PKI directory (default var/hosts-pki) keeps the CA, one certificate per node (CN
strata-coordinator or strata-worker; SANs the node's address, its listen host when that is
not a wildcard, localhost and 127.0.0.1) and the first admin token, so a restart reuses them.
On each host the files land in DATA/pki (owner-only); the coordinator adopts the admin token
as auth.bootstrap_token_file. This machine's `strata` calls use STRATA_CA, STRATA_TOKEN_FILE
and the coordinator's certificate (a worker's status is a node RPC).
"""
import dataclasses
import ipaddress
import os
import secrets
import shlex
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAKE_CERTS = os.path.join(REPO, "scripts", "make-certs.sh")


def _san(name):
    try:
        ipaddress.ip_address(name)
        return f"IP:{name}"
    except ValueError:
        return f"DNS:{name}"


def _sans(node):
    names = [node.address, "localhost", "127.0.0.1"]
    if node.listen and node.listen not in ("0.0.0.0", "::", "[::]"):
        names.append(node.listen)
    return list(dict.fromkeys(_san(name) for name in names))


def prepare(cluster, pki):
    """Makes what is missing in `pki`, exports the CLI's variables, and returns the cluster with
    each node's security settings and a function giving the shell lines that install its files."""
    os.makedirs(pki, mode=0o700, exist_ok=True)
    if not os.path.exists(os.path.join(pki, "ca.pem")):
        subprocess.run([MAKE_CERTS, "ca", pki, "strata-cluster-ca"], check=True)
    token_file = os.path.join(pki, "admin.token")
    if not os.path.exists(token_file):
        descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(f"strata_{secrets.token_hex(32)}\n")
    files = {}
    for node in cluster.nodes:
        common_name = "strata-coordinator" if node.role == "coordinator" else "strata-worker"
        base = os.path.join(pki, node.name)
        if not os.path.exists(base + ".pem"):
            subprocess.run([MAKE_CERTS, "node", pki, common_name, base, *_sans(node)], check=True)
        files[node.name] = {"ca.pem": os.path.join(pki, "ca.pem"), "node.pem": base + ".pem", "node.key": base + ".key"}
        if node.role == "coordinator":
            files[node.name]["admin.token"] = token_file

    def secured(node):
        remote = f"{node.data}/pki"
        settings = (("tls.cert_file", f"{remote}/node.pem"), ("tls.key_file", f"{remote}/node.key"), ("tls.ca_file", f"{remote}/ca.pem"))
        if node.role == "coordinator":
            settings += (("auth.enabled", "true"), ("auth.bootstrap_token_file", f"{remote}/admin.token"))
        return dataclasses.replace(node, settings=tuple(node.settings) + settings)

    secured_cluster = dataclasses.replace(cluster, coordinator=secured(cluster.coordinator),
                                          workers=tuple(secured(worker) for worker in cluster.workers))
    os.environ.update(STRATA_CA=os.path.join(pki, "ca.pem"), STRATA_TOKEN_FILE=token_file,
                      STRATA_CERT=files[cluster.coordinator.name]["node.pem"], STRATA_KEY=files[cluster.coordinator.name]["node.key"])

    def install(node):
        lines = [f"mkdir -p {shlex.quote(node.data + '/pki')} && chmod 700 {shlex.quote(node.data + '/pki')} || exit 1", "umask 077"]
        for name, path in files[node.name].items():
            with open(path, encoding="utf-8") as file:
                text = file.read()
            marker = "STRATA_PEM_" + secrets.token_hex(8)
            lines.append(f"cat > {shlex.quote(node.data + '/pki/' + name)} <<'{marker}'\n{text.rstrip()}\n{marker}")
        return "\n".join(lines) + "\n"

    return secured_cluster, install


def usage(cluster):
    """What this machine's user exports to use the secure cluster."""
    return (f"secure: TLS + mutual TLS between nodes + client tokens; CA, certificates and the admin token in "
            f"{os.path.dirname(os.environ['STRATA_CA'])}\n"
            f"  export STRATA_COORDINATOR={cluster.coordinator.endpoint} STRATA_CA={os.environ['STRATA_CA']} "
            f"STRATA_TOKEN_FILE={os.environ['STRATA_TOKEN_FILE']}")
