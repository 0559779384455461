"""`strata sync` against a real cluster: what it reports, that the namespace mirrors the tree exactly (also after the
sync is killed with SIGKILL and rerun), that status tells the truth about a running, abandoned and finished sync,
and that --watch keeps the mirror (inotify and polling)."""
import json
import os
import signal
import subprocess
import time

import pytest
import xxhash

from agent_cluster import AgentCluster
from conftest import BIN_DIR
from strata_client import Strata


@pytest.fixture(scope="module")
def cluster():
    cluster = AgentCluster(workers=2, replicas=2, coordinator_settings=["--set", "coordinator.sync_stale_ms=1000"])
    yield cluster
    cluster.stop()


def local_files(root):
    """What the namespace must hold: document id -> XXH3-128 of the bytes, for text files not ignored."""
    files = {}
    for directory, names, entries in os.walk(root):
        names[:] = [n for n in names if n not in (".git", "build")]
        for name in entries:
            path = os.path.join(directory, name)
            data = open(path, "rb").read()
            if not data or b"\0" in data or name.endswith(".log"):
                continue
            files[os.path.relpath(path, root)] = xxhash.xxh3_128_hexdigest(data)
    return files


def mirrored(cluster, namespace):
    with Strata(cluster.address) as strata:
        return {entry.document_id: entry.content_hash for entry in strata.list_documents(namespace)}


def make_tree(root, files=30):
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "build").mkdir(exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    (root / ".gitignore").write_text("build/\n*.log\n")
    (root / "build" / "out.txt").write_text("ignored build output\n")
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "debug.log").write_text("ignored log\n")
    (root / "image.png").write_bytes(b"\x89PNG\x00\x00binary")
    (root / "empty.txt").write_text("")
    for index in range(files):
        (root / "src" / f"file_{index:04d}.py").write_text(f"def f{index}():\n    return {index}\n")


def test_sync_sends_only_changes_and_mirrors_the_tree(cluster, tmp_path):
    tree = tmp_path / "tree"
    make_tree(tree)
    cluster.strata("namespace", "create", "mirror", check=True)
    first = cluster.strata("sync", str(tree), "--namespace", "mirror", check=True)
    assert "added 31, changed 0, deleted 0, unchanged 0, skipped 2" in first.stdout  # 30 files + .gitignore
    assert mirrored(cluster, "mirror") == local_files(tree)
    again = cluster.strata("sync", str(tree), "--namespace", "mirror", check=True)
    assert "added 0, changed 0, deleted 0, unchanged 31" in again.stdout

    (tree / "src" / "file_0000.py").write_text("def f0():\n    return 'changed'\n")
    (tree / "src" / "file_0001.py").unlink()
    (tree / "src" / "new.py").write_text("NEW = True\n")
    third = cluster.strata("sync", str(tree), "--namespace", "mirror", check=True)
    assert "added 1, changed 1, deleted 1, unchanged 29" in third.stdout
    assert mirrored(cluster, "mirror") == local_files(tree)

    status = cluster.namespace_status("mirror")
    assert status["documents"] == 31 and status["unsettled_documents"] == 0 and status["running_sync"] is None
    last = status["last_sync"]
    assert last["state"] == "finished" and (last["to_add"], last["to_change"], last["to_delete"], last["unchanged"]) == (1, 1, 1, 29)
    assert last["sent"] == 2 and last["deleted"] == 1 and last["finished_at_unix_ms"] >= last["started_at_unix_ms"] > 0
    text = cluster.strata("status", "--namespace", "mirror", check=True).stdout
    assert "last sync: finished" in text and "plan: add 1, change 1, delete 1, unchanged 29" in text

    unknown = cluster.strata("sync", str(tree), "--namespace", "missing")
    assert unknown.returncode == 1 and "NOT_FOUND" in unknown.stderr


def test_a_sync_killed_midway_and_rerun_leaves_an_exact_mirror(cluster, tmp_path):
    tree = tmp_path / "big"
    make_tree(tree, files=1500)
    cluster.strata("namespace", "create", "killed", check=True)
    with Strata(cluster.address) as strata:
        # Documents the tree does not have, and an old version of one it has: the sync must delete and replace them.
        strata.ingest("killed", [(f"stale/{i}.txt", f"stale {i}") for i in range(50)] + [("src/file_0003.py", "old text")])
    process = subprocess.Popen([str(BIN_DIR / "strata"), "sync", str(tree), "--namespace", "killed", "--batch-files", "20",
                                "--coordinator", cluster.address], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            running = cluster.namespace_status("killed")["running_sync"]
            if running and running["sent"] > 0:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the sync never reported progress")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    # The coordinator tells the truth: a sync that stopped part-way, then (no report for 1 s) abandoned.
    status = cluster.namespace_status("killed")
    assert status["running_sync"] is not None and status["running_sync"]["sent"] < 1501
    time.sleep(1.5)
    abandoned = cluster.namespace_status("killed")["running_sync"]
    assert abandoned["state"] == "abandoned" and "no report" in abandoned["error"]

    rerun = cluster.strata("sync", str(tree), "--namespace", "killed", check=True)
    assert "deleted 50" in rerun.stdout
    assert mirrored(cluster, "killed") == local_files(tree)
    with Strata(cluster.address) as strata:
        assert strata.read_document("killed", "src/file_0003.py").text == (tree / "src" / "file_0003.py").read_text()
    status = cluster.namespace_status("killed")
    assert status["running_sync"] is None and status["unsettled_documents"] == 0
    assert status["last_sync"]["state"] == "finished" and status["documents"] == len(local_files(tree))


@pytest.mark.parametrize("mechanism", ["inotify", "polling"])
def test_watch_keeps_the_mirror(cluster, tmp_path, mechanism):
    namespace = f"watch-{mechanism}"
    tree = tmp_path / "watched"
    make_tree(tree, files=3)
    cluster.strata("namespace", "create", namespace, check=True)
    extra = ["--poll", "--poll-ms", "200"] if mechanism == "polling" else []
    process = subprocess.Popen([str(BIN_DIR / "strata"), "sync", str(tree), "--namespace", namespace, "--watch",
                                "--debounce-ms", "100", "--coordinator", cluster.address, *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def until(condition, what):
            deadline = time.time() + 30
            while time.time() < deadline:
                if condition(mirrored(cluster, namespace)):
                    return
                time.sleep(0.1)
            raise AssertionError(f"--watch ({mechanism}) did not {what}")

        until(lambda docs: docs == local_files(tree), "do the first sync")
        (tree / "src" / "added.py").write_text("ADDED = 1\n")
        until(lambda docs: "src/added.py" in docs, "send a new file")
        (tree / "src" / "file_0000.py").unlink()
        (tree / "src" / "file_0001.py").write_text("changed = True\n")
        until(lambda docs: docs == local_files(tree), "mirror a delete and a change")
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert f"({mechanism})" in process.stderr.read()
