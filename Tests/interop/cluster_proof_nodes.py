"""Helpers for the cluster proofs (test_cluster_proofs.py): nodes whose logs go to a file (a
busy node must never block on a full pipe), that can be SIGKILLed and restarted on the same
address and data directory, and small wrappers over the CLI and the Python gRPC stubs."""
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from conftest import BIN_DIR, free_port

FAST_HEARTBEATS = ["--set", "coordinator.heartbeat_interval_ms=100"]
# Not tighter: on the shared 2-core machine a debug worker busy ingesting can miss a second of
# heartbeats, and every false death moves slots (see stuck_slots).
FAST_DETECTION = FAST_HEARTBEATS + ["--set", "coordinator.suspect_after_ms=1000", "--set", "coordinator.dead_after_ms=3000"]
# For clusters in which no worker is meant to die (the single-worker reference): a false death
# under CI's load would only make the reference answer degraded.
PATIENT_DETECTION = FAST_HEARTBEATS + ["--set", "coordinator.suspect_after_ms=20000", "--set", "coordinator.dead_after_ms=60000"]


class ProofNode:
    """A Strata executable started on a fixed address and data directory, logging to a file."""

    def __init__(self, binary, root, name, args):
        self.binary = binary
        self.name = name
        self.root = Path(root)
        self.data = self.root / name
        self.address = f"127.0.0.1:{free_port()}"
        self.args = args
        self.process = None
        self.log_path = None
        self.starts = 0
        self.start()

    def start(self):
        """Starts (or restarts) the node on the same address and data directory."""
        self.starts += 1
        self.log_path = self.root / f"{self.name}.{self.starts}.log"
        path = BIN_DIR / self.binary
        assert path.exists(), f"{path} is missing: build first (swift build)"
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen([str(path), "--listen", self.address, "--data", str(self.data), *self.args],
                                            stdout=log, stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.time() + 30
        while "serving on" not in self.log():
            assert self.process.poll() is None, f"{self.name} exited with {self.process.returncode}:\n{self.log()}"
            assert time.time() < deadline, f"{self.name} did not start:\n{self.log()}"
            time.sleep(0.05)

    def log(self):
        return self.log_path.read_text(errors="replace")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def copied_slots(log_text):
    """(slot, writes) of a worker's "copied slot" log lines, one per completed copy."""
    copies = []
    for line in log_text.splitlines():
        if "copied slot" in line:
            slot, writes = re.search(r"slot=(\d+)", line), re.search(r"writes=(\d+)", line)
            assert slot and writes, line
            copies.append((int(slot.group(1)), int(writes.group(1))))
    return copies


def stuck_slots(coordinator):
    """Slots showing the signature of a fixed bug, read from the coordinator's persisted map: a
    slot with fewer serving replicas than R, no copy in flight, and a pending DROP on a live
    worker. Workers do not carry DROP out yet, and a pending drop kept RecoveryPlanner from
    using that worker for the slot again; the coordinator now issues no drops until they do."""
    cluster_map = json.loads((coordinator.data / "cluster-map.json").read_text())
    live = {w["id"] for w in cluster_map["workers"] if w["state"] == "live"}
    replicas = min(cluster_map["replicationFactor"], len(live))
    return [index for index, slot in enumerate(cluster_map["slots"])
            if len(slot["replicas"]) < replicas and not slot["transfers"]
            and any(drop["worker"] in live for drop in slot["dropping"])]


def strata(coordinator, *args, timeout=300):
    env = {**os.environ, "STRATA_COORDINATOR": coordinator.address}
    return subprocess.run([str(BIN_DIR / "strata"), *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout)


def strata_background(coordinator, *args):
    env = {**os.environ, "STRATA_COORDINATOR": coordinator.address}
    return subprocess.Popen([str(BIN_DIR / "strata"), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def ingested_tokens(stdout):
    match = re.search(r"ingested (\d+) documents: (\d+) chunks, (\d+) tokens in ([0-9.]+) s", stdout)
    assert match, stdout
    return int(match.group(1)), int(match.group(3)), float(match.group(4))


class CoordinatorClient:
    """The coordinator's gRPC API through the stubs generated from Proto/."""

    def __init__(self, coordinator):
        import grpc
        from strata.v1 import coordinator_pb2_grpc

        self.channel = grpc.insecure_channel(coordinator.address)
        self.stub = coordinator_pb2_grpc.CoordinatorStub(self.channel)

    def close(self):
        self.channel.close()

    def status(self):
        from strata.v1 import coordinator_pb2
        return self.stub.GetClusterStatus(coordinator_pb2.ClusterStatusRequest(), timeout=10)

    def lexical(self, namespace, text, top_k=10):
        """(header, passages) where each passage is (document, line_start, line_end, text, score)."""
        from strata.v1 import coordinator_pb2, common_pb2
        request = coordinator_pb2.QueryRequest(namespace=namespace, text=text, mode=common_pb2.QUERY_MODE_LEXICAL, top_k=top_k)
        header, passages = None, []
        for item in self.stub.Query(request, timeout=60):
            kind = item.WhichOneof("item")
            if kind == "header":
                header = item.header
            elif kind == "passage":
                p = item.passage
                passages.append([p.provenance.document_id, p.provenance.line_start, p.provenance.line_end, p.text, p.score])
            elif kind == "text_fragment":
                passages[-1][3] += item.text_fragment
        return header, [tuple(p) for p in passages]

    def workers(self):
        from strata.v1 import common_pb2
        return [n for n in self.status().nodes if n.role == common_pb2.NODE_ROLE_WORKER]

    def state_of(self, address):
        from strata.v1 import common_pb2
        for node in self.workers():
            if node.address == address:
                return common_pb2.NodeState.Name(node.state)
        return None

    def wait(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if predicate(status):
                return status
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{status}"
            time.sleep(0.05)
