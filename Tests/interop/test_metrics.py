"""/metrics on every node and JSON logs, from the outside: a real coordinator and worker,
an ingest and queries over gRPC, then /metrics scraped with urllib and parsed with the
Prometheus project's own parser (prometheus_client), and the nodes' JSON logs read line by
line. See docs/metrics.md for the series."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import BIN_DIR, free_port, remove_shared_memory

SLOTS = 16
# Unique words of the test's documents and query: none of them may reach a log line.
DOC_MARKER = "quillowbrant"
QUERY_TEXT = f"where is the {DOC_MARKER} kept in the zephyrcask vault"
DOC_TEXTS = [f"Note {n}: the {DOC_MARKER} number {n} is kept in the zephyrcask vault behind door {n * 7}.\n"
             f"Only the keeper of the vault may open it.\n" for n in range(6)]


class LoggedNode:
    """A Strata executable with stdout and stderr in separate files (stderr is the log)."""

    def __init__(self, root, name, binary, args):
        self.root = Path(root)
        self.out = self.root / f"{name}.out"
        self.err = self.root / f"{name}.err"
        self.address = f"127.0.0.1:{free_port()}"
        path = BIN_DIR / binary
        assert path.exists(), f"{path} is missing: build first (swift build)"
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.process = subprocess.Popen([str(path), "--listen", self.address, "--data", str(self.root / name), *args],
                                            stdout=out, stderr=err, cwd=self.root)
        deadline = time.time() + 30
        while "serving on" not in self.out.read_text():
            assert self.process.poll() is None, f"{name} exited with {self.process.returncode}:\n{self.err.read_text()}"
            assert time.time() < deadline, f"{name} did not start:\n{self.err.read_text()}"
            time.sleep(0.05)

    def stop(self):
        """Stops the node (SIGTERM) and removes the warm tier it kept in shared memory: a test's
        worker never starts again. Only this process's own objects are removed (read from its
        memory map), never another test's."""
        warm = self.shared_memory()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        remove_shared_memory(warm)
        return code

    def shared_memory(self):
        try:
            maps = Path(f"/proc/{self.process.pid}/maps").read_text()
        except OSError:
            return set()
        return {line.split("/dev/shm/")[1].split()[0] for line in maps.splitlines() if "/dev/shm/strata" in line}


class MetricsCluster:
    """One coordinator and one worker, each with its own /metrics port, logging JSON."""

    def __init__(self, root, log_args):
        self.coordinator_metrics = free_port()
        self.worker_metrics = free_port()
        self.nodes = []
        self.coordinator = self.start(root, "coordinator", "strata-coordinator", [
            "--set", f"coordinator.metrics_port={self.coordinator_metrics}", "--set", f"coordinator.slots={SLOTS}",
            "--set", "coordinator.replicas=1", "--set", "coordinator.heartbeat_interval_ms=100", *log_args])
        self.worker = self.start(root, "worker", "strata-worker", [
            "--coordinator", self.coordinator.address, "--set", f"worker.metrics_port={self.worker_metrics}",
            "--set", "coordinator.heartbeat_interval_ms=100", *log_args])

    def start(self, root, name, binary, args):
        node = LoggedNode(root, name, binary, args)
        self.nodes.append(node)
        return node

    def stop(self):
        for node in reversed(self.nodes):
            if node.process.poll() is None:
                node.stop()


@pytest.fixture
def cluster(tmp_path, stubs):
    cluster = MetricsCluster(tmp_path, ["--set", "logging.format=json", "--set", "logging.level=debug"])
    try:
        yield cluster
    finally:
        cluster.stop()


def scrape(port, path="/metrics"):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return response.read().decode()


def samples(text):
    """{(sample name, ((label, value), ...)): value} and {family name: type} of a scrape."""
    values, types = {}, {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values, types


def value(values, name, **labels):
    return values.get((name, tuple(sorted(labels.items()))))


def matching(values, name, **labels):
    """Sum of the samples of `name` whose labels include `labels`."""
    return sum(v for (n, ls), v in values.items() if n == name and set(labels.items()) <= set(ls))


def eventually(check, timeout=30):
    deadline = time.time() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def wait_replicated(cluster):
    def replicated():
        values, _ = samples(scrape(cluster.coordinator_metrics))
        assert value(values, "strata_cluster_workers", state="live") == 1
        assert value(values, "strata_cluster_slots", state="fully_replicated") == SLOTS
        return values
    return eventually(replicated)


def ingest(stub):
    from strata.v1 import common_pb2, coordinator_pb2
    stub.CreateNamespace(coordinator_pb2.CreateNamespaceRequest(name="metrics", tokenizer="estimate"), timeout=10)
    docs = [common_pb2.Document(id=f"notes/n{n}.txt", text=text) for n, text in enumerate(DOC_TEXTS)]
    summary = stub.Ingest(iter([coordinator_pb2.IngestRequest(namespace="metrics", documents=docs)]), timeout=30)
    assert summary.documents == len(DOC_TEXTS) and not summary.rejected, summary
    return summary


def query(stub):
    from strata.v1 import common_pb2, coordinator_pb2
    request = coordinator_pb2.QueryRequest(namespace="metrics", text=QUERY_TEXT, mode=common_pb2.QUERY_MODE_LEXICAL,
                                           top_k=3, token_budget=500)
    found = [item.passage.provenance.document_id for item in stub.Query(request, timeout=30) if item.HasField("passage")]
    assert found, "the query found nothing"


def coordinator_stub(channel):
    from strata.v1 import coordinator_pb2_grpc
    return coordinator_pb2_grpc.CoordinatorStub(channel)


def test_metrics_of_coordinator_and_worker(cluster):
    wait_replicated(cluster)
    channel = grpc.insecure_channel(cluster.coordinator.address)
    stub = coordinator_stub(channel)
    summary = ingest(stub)
    query(stub)

    coordinator, types = samples(scrape(cluster.coordinator_metrics))
    # RPCs by service, method and status code, with a latency histogram per method.
    rpc = "strata_rpc_requests_total"
    assert types["strata_rpc_requests"] == "counter"
    assert types["strata_rpc_duration_seconds"] == "histogram"
    assert value(coordinator, rpc, service="strata.v1.Coordinator", method="CreateNamespace", code="OK") == 1
    assert value(coordinator, rpc, service="strata.v1.Coordinator", method="Ingest", code="OK") == 1
    assert value(coordinator, rpc, service="strata.v1.Coordinator", method="Query", code="OK") == 1
    membership = {labels: v for (name, labels), v in coordinator.items() if name == rpc and ("service", "strata.v1.Membership") in labels}
    assert matching(coordinator, rpc, service="strata.v1.Membership", method="RegisterWorker", code="OK") >= 1, membership
    assert value(coordinator, "strata_rpc_duration_seconds_count", service="strata.v1.Coordinator", method="Query") == 1
    assert value(coordinator, "strata_rpc_duration_seconds_bucket", service="strata.v1.Coordinator", method="Query", le="+Inf") == 1
    # Ingest counters and the cluster's replication state.
    assert value(coordinator, "strata_ingest_documents_total") == summary.documents == len(DOC_TEXTS)
    assert value(coordinator, "strata_ingest_chunks_total") == summary.chunks > 0
    assert value(coordinator, "strata_ingest_tokens_total") == summary.tokens > 0
    assert value(coordinator, "strata_cluster_slot_count") == SLOTS
    assert value(coordinator, "strata_cluster_workers", state="dead") == 0
    assert value(coordinator, "strata_cluster_slots", state="under_replicated") == 0
    assert value(coordinator, "strata_cluster_slots_recovering") == 0
    assert value(coordinator, "strata_cluster_transfers_in_flight", purpose="recovery") == 0
    assert value(coordinator, "strata_recovery_records_copied") == 0
    assert value(coordinator, "strata_recovery_records_needed") == 0
    assert value(coordinator, "strata_node_serving") == 1
    assert matching(coordinator, "strata_node_info", role="coordinator") == 1
    assert not any(name.startswith("strata_tier_") for name, _ in coordinator)

    worker, types = samples(scrape(cluster.worker_metrics))
    assert matching(worker, "strata_node_info", role="worker") == 1
    assert types["strata_tier_hits"] == "counter" and types["strata_tier_entries"] == "gauge"
    backends = {dict(labels)["tier"]: dict(labels)["backend"] for name, labels in worker if name == "strata_tier_entries"}
    assert set(backends) == {"hot", "warm", "cold", "persistent"}
    assert backends["hot"] in ("host", "cuda")
    for series in ["strata_tier_tokens", "strata_tier_bytes", "strata_tier_capacity_bytes", "strata_tier_capacity_tokens",
                   "strata_tier_misses_total", "strata_tier_promotions_total", "strata_tier_demotions_total",
                   "strata_tier_evictions_total"]:
        assert {dict(labels)["tier"] for name, labels in worker if name == series} == set(backends), series
    assert value(worker, "strata_tier_entries", tier="persistent", backend="disk") == summary.chunks
    assert value(worker, "strata_tier_tokens", tier="persistent", backend="disk") == summary.tokens
    assert value(worker, "strata_wal_bytes") + value(worker, "strata_segment_bytes") > 0
    assert value(worker, "strata_worker_slots") >= 1
    searches = matching(worker, rpc, service="strata.v1.Worker", code="OK")
    assert searches >= 2  # the writes of the ingest and the search of the query

    # Counters move: one more query adds a Query on the coordinator and calls on the worker.
    query(stub)
    channel.close()
    after, _ = samples(scrape(cluster.coordinator_metrics))
    assert value(after, rpc, service="strata.v1.Coordinator", method="Query", code="OK") == 2
    assert value(after, "strata_rpc_duration_seconds_count", service="strata.v1.Coordinator", method="Query") == 2
    worker_after, _ = samples(scrape(cluster.worker_metrics))
    assert matching(worker_after, rpc, service="strata.v1.Worker", code="OK") > searches
    assert worker_after[("strata_node_uptime_seconds", ())] > worker[("strata_node_uptime_seconds", ())]


def test_failed_rpcs_are_counted_by_code(cluster):
    from strata.v1 import coordinator_pb2, coordinator_pb2_grpc
    with grpc.insecure_channel(cluster.coordinator.address) as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        with pytest.raises(grpc.RpcError) as failure:
            stub.GetNodeStatus(coordinator_pb2.NodeStatusRequest(node_id="worker-nobody"), timeout=5)
        assert failure.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.RpcError) as failure:
            channel.unary_unary("/strata.v1.Coordinator/NoSuchMethod")(b"", timeout=5)
        assert failure.value.code() == grpc.StatusCode.UNIMPLEMENTED
    values, _ = samples(scrape(cluster.coordinator_metrics))
    assert value(values, "strata_rpc_requests_total", service="strata.v1.Coordinator", method="GetNodeStatus", code="NOT_FOUND") == 1
    # A path no service registered is not echoed back as a label.
    assert value(values, "strata_rpc_requests_total", service="unknown", method="unknown", code="UNIMPLEMENTED") == 1
    assert not any("NoSuchMethod" in str(labels) for _, labels in values)


def test_metrics_address_in_status_and_health(cluster):
    from strata.v1 import coordinator_pb2, coordinator_pb2_grpc, worker_pb2, worker_pb2_grpc
    with grpc.insecure_channel(cluster.worker.address) as channel:
        status = worker_pb2_grpc.WorkerStub(channel).Status(worker_pb2.WorkerStatusRequest(), timeout=5)
        assert status.metrics_address == f"127.0.0.1:{cluster.worker_metrics}"
    with grpc.insecure_channel(cluster.coordinator.address) as channel:
        status = coordinator_pb2_grpc.CoordinatorStub(channel).GetNodeStatus(coordinator_pb2.NodeStatusRequest(), timeout=5)
        assert status.metrics_address == f"127.0.0.1:{cluster.coordinator_metrics}"
    health = subprocess.run([str(BIN_DIR / "strata"), "health", cluster.worker.address], capture_output=True, text=True, timeout=30)
    assert health.returncode == 0, health.stderr
    assert f"http://127.0.0.1:{cluster.worker_metrics}/metrics" in health.stdout


def test_other_paths_and_methods_are_refused(cluster):
    for path in ["/", "/metric", "/metrics/extra", "/favicon.ico"]:
        with pytest.raises(urllib.error.HTTPError) as refused:
            scrape(cluster.worker_metrics, path)
        assert refused.value.code == 404, path
    request = urllib.request.Request(f"http://127.0.0.1:{cluster.worker_metrics}/metrics", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405
    # The listener keeps serving after refusals.
    assert "strata_node_info" in scrape(cluster.worker_metrics, "/metrics?x=1")


def test_json_logs_are_one_object_per_line_without_user_payloads(cluster):
    wait_replicated(cluster)
    with grpc.insecure_channel(cluster.coordinator.address) as channel:
        stub = coordinator_stub(channel)
        ingest(stub)
        query(stub)
    cluster.stop()
    for node in cluster.nodes:
        lines = [line for line in node.err.read_text().splitlines() if line.strip()]
        assert lines, f"{node.err} is empty"
        messages = set()
        for line in lines:
            entry = json.loads(line)  # every line is one JSON object
            assert isinstance(entry, dict), line
            assert {"ts", "level", "label", "message", "metadata"} <= set(entry), line
            assert entry["label"].startswith("strata."), line
            assert isinstance(entry["metadata"], dict), line
            messages.add(entry["message"])
        assert "listening" in messages and "stopped" in messages, messages
    logs = "\n".join(node.err.read_text() + node.out.read_text() for node in cluster.nodes)
    for payload in [DOC_MARKER, "zephyrcask", QUERY_TEXT, *DOC_TEXTS, "keeper of the vault"]:
        assert payload not in logs, f"user payload {payload!r} reached a log"


def occupied_port():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    return listener


def test_port_zero_disables_and_a_busy_port_is_reported(tmp_path, stubs):
    from strata.v1 import worker_pb2, worker_pb2_grpc
    busy = occupied_port()
    nodes = []
    try:
        disabled = LoggedNode(tmp_path, "disabled", "strata-worker", ["--coordinator", "", "--set", "worker.metrics_port=0"])
        nodes.append(disabled)
        clash = LoggedNode(tmp_path, "clash", "strata-worker",
                           ["--coordinator", "", "--set", f"worker.metrics_port={busy.getsockname()[1]}"])
        nodes.append(clash)
        with grpc.insecure_channel(disabled.address) as channel:
            status = worker_pb2_grpc.WorkerStub(channel).Status(worker_pb2.WorkerStatusRequest(), timeout=5)
            assert status.metrics_address == ""
            assert not any("metrics" in note for note in status.notes)
        health = subprocess.run([str(BIN_DIR / "strata"), "health", disabled.address], capture_output=True, text=True, timeout=30)
        assert health.returncode == 0 and any(line.split() == ["metrics", "disabled"] for line in health.stdout.splitlines()), health.stdout
        assert "serving metrics" not in disabled.err.read_text()
        # A port that cannot be bound leaves the node serving, says so, and exports nothing.
        with grpc.insecure_channel(clash.address) as channel:
            status = worker_pb2_grpc.WorkerStub(channel).Status(worker_pb2.WorkerStatusRequest(), timeout=5)
            assert status.metrics_address == ""
            assert any(f"cannot listen on 127.0.0.1:{busy.getsockname()[1]}" in note for note in status.notes), status.notes
        assert "cannot serve metrics" in clash.err.read_text()
    finally:
        for node in nodes:
            node.stop()
        busy.close()
