"""scripts/cluster-up.sh, cluster-status.sh and cluster-down.sh, run as a user would: up,
status, down, and up again on the same data directory (the same cluster, with its data)."""
import os
import subprocess

from conftest import BIN_DIR, REPO, start_cluster


def run(*args, **env):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=180, cwd=REPO,
                          env={**os.environ, **{k: str(v) for k, v in env.items()}})


def test_up_status_down_and_up_again_with_data(tmp_path):
    data = tmp_path / "cluster"
    base, up = start_cluster(run, data, "--workers", 2, "--replicas", 1)
    coordinator = f"127.0.0.1:{base}"
    try:
        assert up.returncode == 0, up.stderr
        assert f"coordinator  {coordinator}" in up.stdout and f"127.0.0.1:{base + 2}" in up.stdout
        assert (data / "worker-1.log").exists() and (data / "worker-2").is_dir()
        strata = BIN_DIR / "strata"
        for _ in range(100):
            if "workers: 2 serving" in run(strata, "status", "--coordinator", coordinator).stdout:
                break
        assert run(strata, "namespace", "create", "kept", "--tokenizer", "estimate", "--coordinator", coordinator).returncode == 0
        doc = tmp_path / "doc.txt"
        doc.write_text("a document that must survive a restart of the whole cluster\n")
        assert run(strata, "ingest", "-n", "kept", doc, "--coordinator", coordinator).returncode == 0
        status = run(REPO / "scripts/cluster-status.sh", "--coordinator", coordinator, STRATA_BIN=BIN_DIR)
        assert status.returncode == 0 and "workers: 2 serving" in status.stdout and "worker" in status.stdout
        nodes_before = sorted(line.split()[1] for line in status.stdout.splitlines() if line.startswith("worker"))

        down = run(REPO / "scripts/cluster-down.sh", "--data", data)
        assert down.returncode == 0, down.stdout
        assert down.stdout.count("stopped") == 3
        assert not list(data.glob("*.pid"))

        again = run(REPO / "scripts/cluster-up.sh", "--workers", 2, "--replicas", 1, "--base-port", base, "--data", data, "--bin", BIN_DIR)
        assert again.returncode == 0, again.stderr
        listed = run(strata, "namespace", "list", "--coordinator", coordinator)
        assert "kept" in listed.stdout and " 1 " in listed.stdout  # one document, still there
        for _ in range(100):
            status = run(REPO / "scripts/cluster-status.sh", "--coordinator", coordinator, STRATA_BIN=BIN_DIR)
            if "workers: 2 serving" in status.stdout:
                break
        nodes_after = sorted(line.split()[1] for line in status.stdout.splitlines() if line.startswith("worker"))
        assert nodes_after == nodes_before  # the same workers, recognised by their ids
    finally:
        # cluster-down gives the stopped workers' warm tiers back.
        run(REPO / "scripts/cluster-down.sh", "--data", data)


def test_bad_options_are_refused():
    result = run(REPO / "scripts/cluster-up.sh", "--workers", "none")
    assert result.returncode == 64 and "--workers" in result.stderr
    assert run(REPO / "scripts/cluster-up.sh", "--replicas", "0").returncode == 64
    # --check prints a hosts file's plan; without one there is nothing to check.
    for name in ("cluster-up.sh", "cluster-down.sh", "cluster-status.sh"):
        result = run(REPO / "scripts" / name, "--check")
        assert result.returncode == 64 and "--check needs --hosts FILE" in result.stderr


def test_secure_cluster_up_prints_how_the_cli_uses_it(tmp_path):
    """cluster-up --secure: certificates and an admin token made with openssl, every node on
    TLS with tokens; the CLI works with the printed STRATA_CA / STRATA_TOKEN_FILE and not
    without them; a restart keeps the same CA and token."""
    data = tmp_path / "cluster"
    base, up = start_cluster(run, data, "--secure", "--workers", 1, "--replicas", 1)
    coordinator = f"127.0.0.1:{base}"
    try:
        assert up.returncode == 0, up.stderr
        ca, token = data / "pki" / "ca.pem", data / "pki" / "admin.token"
        assert f"STRATA_CA={ca}" in up.stdout and f"STRATA_TOKEN_FILE={token}" in up.stdout
        assert oct(os.stat(token).st_mode & 0o777) == "0o600" and oct(os.stat(data / "pki" / "worker.key").st_mode & 0o777) == "0o600"
        strata = BIN_DIR / "strata"
        secure = {"STRATA_COORDINATOR": coordinator, "STRATA_CA": ca, "STRATA_TOKEN_FILE": token}
        assert "workers: 1 serving" in run(strata, "status", **secure).stdout
        assert run(strata, "status", **{**secure, "STRATA_TOKEN_FILE": ""}).returncode != 0
        assert run(strata, "status", **{**secure, "STRATA_CA": ""}).returncode != 0
        created = run(strata, "token", "create", "--name", "ci", "--scope", "read:docs", **secure)
        assert created.returncode == 0 and created.stdout.startswith("strata_"), created.stderr
        assert token.read_text().strip() not in (data / "coordinator.log").read_text()
        assert run(REPO / "scripts/cluster-down.sh", "--data", data).returncode == 0
        again = run(REPO / "scripts/cluster-up.sh", "--secure", "--workers", 1, "--replicas", 1, "--base-port", base, "--data", data, "--bin", BIN_DIR)
        assert again.returncode == 0, again.stderr
        assert "ci" in run(strata, "token", "list", **secure).stdout
    finally:
        run(REPO / "scripts/cluster-down.sh", "--data", data)


def test_three_coordinators_on_etcd_up_and_down(tmp_path):
    data = tmp_path / "ha"
    base, up = start_cluster(run, data, "--coordinators", 3, "--workers", 2, "--replicas", 2)
    try:
        assert up.returncode == 0, up.stderr
        coordinators = ",".join(f"127.0.0.1:{base + 100 * k}" for k in range(3))
        assert f"export STRATA_COORDINATOR={coordinators}" in up.stdout
        assert (data / "etcd-1.pid").exists() and (data / "etcd-1.log").exists()
        strata = BIN_DIR / "strata"
        assert run(strata, "namespace", "create", "ha", "--tokenizer", "estimate", STRATA_COORDINATOR=coordinators).returncode == 0
        doc = tmp_path / "doc.txt"
        doc.write_text("stored through whichever coordinator leads\n")
        ingest = run(strata, "ingest", "-n", "ha", doc, STRATA_COORDINATOR=coordinators)
        assert ingest.returncode == 0, ingest.stderr
        # Every coordinator answers queries (the followers from the leader's map).
        for k in range(3):
            answer = run(strata, "query", "-n", "ha", "whichever coordinator", "--coordinator", f"127.0.0.1:{base + 100 * k}")
            assert answer.returncode == 0 and "doc.txt" in answer.stdout, answer.stderr
        nodes = run(strata, "nodes", STRATA_COORDINATOR=coordinators)
        assert nodes.returncode == 0 and nodes.stdout.count("coordinator") >= 3 and "leader" in nodes.stdout, nodes.stdout
    finally:
        down = run(REPO / "scripts/cluster-down.sh", "--data", data)
    assert down.returncode == 0, down.stdout + down.stderr
    lines = down.stdout.splitlines()
    assert lines.index("etcd-1 stopped") > max(i for i, line in enumerate(lines) if line.endswith("stopped") and not line.startswith("etcd"))
    assert not list(data.glob("*.pid"))
