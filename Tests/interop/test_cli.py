"""The `strata` CLI against real processes: exit codes and output on good and bad input."""
import json
import os
import subprocess

import pytest

from conftest import BIN_DIR, Node, remove_warm_tiers_under


def strata(*args, coordinator=None):
    env = dict(os.environ)
    if coordinator:
        env["STRATA_COORDINATOR"] = coordinator
    return subprocess.run([str(BIN_DIR / "strata"), *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def cluster(tmp_path):
    coordinator = Node("strata-coordinator", lambda n: ["--listen", n.address, "--data", n.data + "/c", "--replicas", "1",
                                                         "--set", "coordinator.heartbeat_interval_ms=100"])
    worker = Node("strata-worker", lambda n: ["--listen", n.address, "--data", n.data + "/w", "--coordinator", coordinator.address,
                                              "--set", "coordinator.heartbeat_interval_ms=100"])
    for _ in range(100):
        if "workers: 1 serving" in strata("status", coordinator=coordinator.address).stdout:
            break
        __import__("time").sleep(0.1)
    yield coordinator, worker, tmp_path
    worker.stop()
    coordinator.stop()
    remove_warm_tiers_under(worker.data)


def test_namespace_ingest_status_nodes(cluster):
    coordinator, worker, tmp = cluster
    address = coordinator.address
    created = strata("namespace", "create", "notes", "--tokenizer", "estimate", coordinator=address)
    assert created.returncode == 0, created.stderr
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Alpha\n\nThe alpha document talks about replication.\n")
    (corpus / "b.py").write_text("def beta():\n    return 'beta'\n")
    (corpus / "empty.txt").write_text("")
    (corpus / "blob.bin").write_bytes(b"\x00\x01\x02binary")
    ingested = strata("ingest", "--namespace", "notes", str(corpus), coordinator=address)
    assert ingested.returncode == 0, ingested.stderr
    assert "ingested 2 documents" in ingested.stdout
    assert "skipped 2 files" in ingested.stdout
    listed = strata("namespace", "list", "--json", coordinator=address)
    assert listed.returncode == 0
    assert json.loads(listed.stdout)[0]["documents"] == "2"
    status = strata("status", coordinator=address)
    assert status.returncode == 0 and "workers: 1 serving" in status.stdout
    nodes = strata("nodes", coordinator=address)
    assert nodes.returncode == 0 and worker.address in nodes.stdout and "coordinator" in nodes.stdout
    deleted = strata("delete", "--namespace", "notes", "a.md", "missing.md", coordinator=address)
    assert deleted.returncode == 0 and "deleted 1 documents" in deleted.stdout and "not found: missing.md" in deleted.stdout
    dropped = strata("namespace", "drop", "notes", coordinator=address)
    assert dropped.returncode == 0


def test_errors_are_one_line_with_documented_exit_codes(cluster):
    coordinator, _, tmp = cluster
    unknown = strata("ingest", "--namespace", "nope", str(tmp), coordinator=coordinator.address)
    assert unknown.returncode == 1
    assert unknown.stderr.strip().splitlines()[-1].startswith("strata: ingest: NOT_FOUND: namespace nope does not exist")
    bad_name = strata("namespace", "create", "../etc", coordinator=coordinator.address)
    assert bad_name.returncode == 1 and "INVALID_ARGUMENT" in bad_name.stderr
    bad_flag = strata("query", "--namespace", "x", "--mode", "fuzzy", "text")
    assert bad_flag.returncode == 64
    nobody = strata("status", "--timeout", "2", coordinator="127.0.0.1:1")
    assert nobody.returncode == 1
    assert "is the node running?" in nobody.stderr
    assert "Traceback" not in nobody.stderr and len(nobody.stderr.strip().splitlines()) == 1


def test_an_unreadable_token_file_is_refused_before_any_call():
    """A token file that cannot be read used to be dropped: the query went out without a token
    (and, against an open cluster, succeeded). Every command now refuses it, naming the file."""
    for args in (("query", "-n", "x", "hello"), ("query", "-n", "x", "hello", "--coordinator", "127.0.0.1:1,127.0.0.1:2"),
                 ("namespace", "list"), ("status",)):
        result = strata(*args, "--token-file", "/nonexistent/token", coordinator="127.0.0.1:1")
        assert result.returncode == 1, (args, result.stderr)
        assert "--token-file /nonexistent/token cannot be read or holds no token" in result.stderr, (args, result.stderr)


def test_query_fast_path_answers_as_the_argument_parser_path(cluster):
    # `strata query` reads common command lines itself and calls on the main thread with one
    # address (QueryFastPath, BlockingRPCChannel); "--budget=N" after the text and two
    # addresses take the ArgumentParser and FailoverTransport path. Both must print the same
    # answer, the same error line and the same exit code.
    coordinator, _, tmp = cluster
    address = coordinator.address
    assert strata("namespace", "create", "fast", "--tokenizer", "estimate", coordinator=address).returncode == 0
    corpus = tmp / "fast"
    corpus.mkdir()
    for i in range(5):
        (corpus / f"n{i}.md").write_text(f"# Note {i}\n\nEviction policy {i} keeps hot chunks in memory.\n")
    assert strata("ingest", "--namespace", "fast", str(corpus), coordinator=address).returncode == 0

    def without_timings(text):
        return [line for line in text.splitlines() if not line.startswith("--- ")]

    fast = strata("query", "-n", "fast", "--budget", "200", "--coordinator", address, "eviction policy")
    slow = strata("query", "-n", "fast", "--coordinator", f"{address},{address}", "eviction policy", "--budget=200")
    assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
    assert without_timings(fast.stdout) == without_timings(slow.stdout) and "### n" in fast.stdout
    fast_json = strata("query", "-n", "fast", "--json", "--coordinator", address, "eviction policy")
    slow_json = strata("query", "-n", "fast", "--json", "--coordinator", f"{address},{address}", "eviction policy")
    assert json.loads(fast_json.stdout) == json.loads(slow_json.stdout)
    for namespace_args in (["-n", "missing"], ["--namespace=missing"]):
        fast = strata("query", *namespace_args, "--coordinator", address, "x")
        slow = strata("query", *namespace_args, "--coordinator", f"{address},{address}", "x")
        assert fast.returncode == slow.returncode == 1
        assert fast.stderr == slow.stderr and fast.stderr.startswith("strata: query: NOT_FOUND: namespace missing does not exist")
    down = strata("query", "-n", "fast", "--timeout", "2", "--coordinator", "127.0.0.1:1", "x")
    down_slow = strata("query", "-n", "fast", "--timeout", "2", "--coordinator", "127.0.0.1:1", "x", "--budget=1")
    assert down.returncode == down_slow.returncode == 1 and down.stderr == down_slow.stderr
    assert "is the node running?" in down.stderr
    empty = strata("query", "-n", "fast", "--coordinator", address, " ")
    assert empty.returncode == 64 and "the query text is empty" in empty.stderr


@pytest.mark.skipif(BIN_DIR.name != "release", reason="only release builds link strata statically (Package.swift, CLIStaticLinking)")
def test_release_strata_loads_no_swift_or_grpc_shared_library():
    # Every command is a new process: a dynamically linked strata spent more time in the
    # loader (72 libraries) than in the query (docs/benchmarks.md, section 9).
    loaded = subprocess.run(["ldd", str(BIN_DIR / "strata")], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in loaded.splitlines() if line.strip()]
    assert not [n for n in names if n.startswith(("libswift", "libFoundation", "lib_Foundation", "libdispatch", "libgrpc", "libgpr",
                                                  "libabsl", "libprotobuf-c", "libssl", "libcrypto"))], names
    assert len(names) <= 8, names
