"""Coordinators sharing etcd keep what clients see when the leader dies (issue 15):

- the documents acknowledged through a leader are counted, listed with their content hashes,
  and recognised by a directory sync on the next leader after a kill -9 (the new leader reads
  them from the replicas);
- with --secure, a token created through the leader works on every coordinator and on the
  workers' /metrics, survives a kill -9 of the leader, and its revocation reaches every
  coordinator.
Each test runs scripts/cluster-up.sh --coordinators 3 as a user would (about 20 s each)."""
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import BIN_DIR, REPO, start_cluster

STRATA = BIN_DIR / "strata"


def run(*args, timeout=180, **env):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env={**os.environ, **{k: str(v) for k, v in env.items()}})


def leader(data, count=3, besides=()):
    """The coordinator (1..count, none of `besides`) whose last role line in its log says it leads."""
    for k in range(1, count + 1):
        if k in besides:
            continue
        log = data / f"coordinator-{k}.log"
        if not log.exists():
            continue
        roles = [line for line in log.read_text(errors="replace").splitlines() if "leading the cluster" in line or "] following" in line]
        if roles and "leading the cluster" in roles[-1]:
            return k
    return None


def wait_for(condition, timeout=60, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not hold within {timeout} s")


def kill_leader(data, k):
    pid = int((data / f"coordinator-{k}.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode != 0, 10, "the leader's exit")


def new_leader(data, old):
    return wait_for(lambda: leader(data, besides=(old,)), 30, "a new leader")


@pytest.fixture
def cluster_up(tmp_path):
    started = []

    def up(*extra, workers=2, replicas=2):
        data = tmp_path / f"ha-{len(started)}"
        started.append(data)
        base, result = start_cluster(run, data, "--coordinators", 3, "--workers", workers, "--replicas", replicas, *extra)
        assert result.returncode == 0, result.stdout + result.stderr
        return data, [f"127.0.0.1:{base + 100 * k}" for k in range(3)], base

    yield up
    for data in started:
        run(REPO / "scripts/cluster-down.sh", "--data", data)


def test_the_next_leader_counts_lists_and_syncs_what_the_killed_one_acknowledged(cluster_up, tmp_path):
    data, coordinators, _ = cluster_up()
    everyone = ",".join(coordinators)
    k = wait_for(lambda: leader(data), 30, "a leader")
    at_leader = {"STRATA_COORDINATOR": coordinators[k - 1]}
    assert run(STRATA, "namespace", "create", "notes", "--tokenizer", "estimate", **at_leader).returncode == 0
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    for index in range(24):
        folder = tree / ("sub" if index % 3 == 0 else "")
        (folder / f"note-{index}.md").write_text("".join(f"line {line} of note {index}: some words to index\n" for line in range(1 + index % 5)))
    synced = run(STRATA, "sync", tree, "-n", "notes", **at_leader)
    assert synced.returncode == 0 and "added 24" in synced.stdout, synced.stdout + synced.stderr
    extra = tmp_path / "extra.txt"
    extra.write_text("a document ingested apart from the directory\n")
    assert run(STRATA, "ingest", "-n", "notes", extra, **at_leader).returncode == 0
    before = run(STRATA, "namespace", "list", "--json", **at_leader)
    assert before.returncode == 0, before.stderr
    assert [n["documents"] for n in json.loads(before.stdout) if n["name"] == "notes"] == ["25"], before.stdout

    kill_leader(data, k)
    k2 = new_leader(data, k)
    at_new = {"STRATA_COORDINATOR": coordinators[k2 - 1]}
    from strata_client import Strata
    with Strata(coordinators[k2 - 1]) as client:
        # Until it has read its predecessor's documents from the replicas, the new leader
        # answers ListDocuments UNAVAILABLE (retried here); then the listing is complete.
        def listed():
            try:
                return list(client.list_documents("notes"))
            except Exception:  # UNAVAILABLE while catching up
                return None
        entries = wait_for(listed, 60, "ListDocuments on the new leader")
        ids = sorted(entry.document_id for entry in entries)
        assert len(ids) == 25, ids
        assert all(entry.content_hash for entry in entries)
        info = [n for n in client.list_namespaces() if n.name == "notes"][0]
        assert info.documents == 25
    after = run(STRATA, "namespace", "list", "--json", **at_new)
    assert after.stdout == before.stdout, (before.stdout, after.stdout)
    # The directory unchanged: the sync finds every file's hash on the new leader and sends nothing.
    again = run(STRATA, "sync", tree, "-n", "notes", STRATA_COORDINATOR=everyone)
    assert again.returncode == 0, again.stderr
    assert "added 0, changed 0, deleted 1, unchanged 24" in again.stdout, again.stdout  # extra.txt is not in the tree


def scrape(port, token):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_tokens_are_shared_by_every_coordinator_and_outlive_the_leader(cluster_up):
    data, coordinators, base = cluster_up("--secure", workers=1, replicas=1)
    pki = data / "pki"
    secure = {"STRATA_CA": pki / "ca.pem", "STRATA_TOKEN_FILE": pki / "admin.token"}
    k = wait_for(lambda: leader(data), 30, "a leader")
    followers = [i for i in (1, 2, 3) if i != k]
    # Sent to a follower, the CLI is told the leader's address and creates it there.
    created = run(STRATA, "token", "create", "--name", "ci", "--scope", "read:*,metrics", "--coordinator", coordinators[followers[0] - 1], **secure)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    as_ci = {"STRATA_CA": pki / "ca.pem", "STRATA_TOKEN": token, "STRATA_TOKEN_FILE": ""}

    def works_on(i):
        return run(STRATA, "namespace", "list", "--coordinator", coordinators[i - 1], **as_ci).returncode == 0

    for i in followers:
        wait_for(lambda: works_on(i), 30, f"the new token on coordinator-{i}")
    # The worker checks /metrics scrapes against the coordinators' copies of the registry.
    worker_metrics = base + 2001
    wait_for(lambda: scrape(worker_metrics, token) == 200, 30, "a scrape with the new token")

    kill_leader(data, k)
    k2 = new_leader(data, k)
    wait_for(lambda: works_on(k2), 30, "the token on the new leader")
    live = [i for i in (1, 2, 3) if i != k]
    revoked = run(STRATA, "token", "revoke", "ci", "--coordinator", ",".join(coordinators[i - 1] for i in live), **secure)
    assert revoked.returncode == 0, revoked.stderr
    for i in live:
        wait_for(lambda: not works_on(i), 30, f"the revocation on coordinator-{i}")
    wait_for(lambda: scrape(worker_metrics, token) in (401, 403), 30, "the revocation on the worker's /metrics")
    assert works_on(live[0]) is False
    assert run(STRATA, "namespace", "list", "--coordinator", coordinators[live[0] - 1], **secure).returncode == 0
