"""The worker's search-index snapshots with real processes: a worker SIGKILLed after its
periodic snapshot restarts reading its index back (no rebuild) and answers exactly as before,
and one killed with writes after its last snapshot rebuilds just the slots written since."""
import re
import time

import grpc
import pytest

from test_cluster_restarts import FAST_WORKER, Cluster, Process, documents, ingest, query, word


class SnapshottingCluster(Cluster):
    """One worker (R = 1) that snapshots changed slots every `interval_ms`."""

    def __init__(self, root, interval_ms):
        super().__init__(root, replicas=1)
        self.interval_ms = interval_ms

    def start_worker(self, n, address):
        worker = Process("strata-worker", ["--listen", address, "--data", str(self.root / f"worker-{n}"), "--coordinator",
                                           self.coordinator_address, *FAST_WORKER,
                                           "--set", f"worker.index_snapshot_interval_ms={self.interval_ms}"],
                         self.root / f"worker-{n}.log")
        worker.address = address
        return worker

    def last_index_line(self):
        lines = [line for line in open(self.workers[0].log).read().splitlines() if "store ready" in line]
        found = re.search(r"index=(\d+) slots from snapshots, (\d+) rebuilt", lines[-1])
        assert found, lines[-1]
        return int(found.group(1)), int(found.group(2))


@pytest.fixture
def cluster(tmp_path, stubs):
    cluster = SnapshottingCluster(tmp_path, interval_ms=300)
    try:
        cluster.start_coordinator()
        yield cluster
    finally:
        cluster.stop()


def test_a_sigkilled_worker_reads_its_index_back_from_snapshots(cluster):
    from strata.v1 import coordinator_pb2_grpc
    cluster.add_worker()
    cluster.wait_replicated(1)
    assert cluster.strata("namespace", "create", "snap", "--tokenizer", "estimate").returncode == 0
    with cluster.channel() as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        ingest(stub, "snap", documents(0, 120))
        probes = [word(n) for n in (0, 17, 64, 119)] + ["replication checkpoint", "quorum"]
        before = [query(stub, "snap", text) for text in probes]
    assert all(not degraded and passages for degraded, passages in before)
    time.sleep(2.0)  # several snapshot intervals: the files follow the writes
    cluster.restart_worker(0)
    cluster.wait_replicated(1)
    loaded, rebuilt = cluster.last_index_line()
    assert loaded > 0 and rebuilt == 0, (loaded, rebuilt)
    with cluster.channel() as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        assert [query(stub, "snap", text) for text in probes] == before
    # Writes after the last snapshot, then SIGKILL before the next (the interval is now an
    # hour): those slots are rebuilt (their snapshot names an older position), the rest are
    # read back, and the answers include the late writes.
    cluster.interval_ms = 3_600_000
    cluster.restart_worker(0)
    cluster.wait_replicated(1)
    with cluster.channel() as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        # Just after a restart a slot may still refuse a write with retry = true: send again.
        from strata.v1 import coordinator_pb2
        pending, deadline = documents(120, 5), time.time() + 30
        while pending:
            assert time.time() < deadline, pending
            summary = stub.Ingest(iter([coordinator_pb2.IngestRequest(namespace="snap", documents=pending)]), timeout=30)
            assert all(r.retry for r in summary.rejected), summary
            rejected = {r.document_id for r in summary.rejected}
            pending = [d for d in pending if d.id in rejected]
            time.sleep(0.1 if pending else 0)
        late = query(stub, "snap", word(122))
    assert late[1] and late[1][0][0] == "docs/d00122.txt"
    cluster.restart_worker(0)
    cluster.wait_replicated(1)
    loaded, rebuilt = cluster.last_index_line()
    assert 1 <= rebuilt <= 5 and loaded > 0, (loaded, rebuilt)
    with cluster.channel() as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        assert query(stub, "snap", word(122)) == late
        assert [query(stub, "snap", text)[1][0][0] for text in probes[:4]] == [b[1][0][0] for b in before[:4]]


def test_a_worker_sigkilled_while_writes_and_snapshots_run_never_serves_a_stale_index(cluster):
    """SIGKILL at arbitrary moments while documents stream in and changed slots are snapshotted
    every 50 ms (so some kills land mid-write of a snapshot, others just after a write the
    snapshot misses): after every restart each acknowledged document is found, and the index
    read back answers exactly as one rebuilt from the store."""
    import random
    import shutil
    import threading
    from strata.v1 import coordinator_pb2, coordinator_pb2_grpc
    cluster.interval_ms = 50
    cluster.add_worker()
    cluster.wait_replicated(1)
    assert cluster.strata("namespace", "create", "snap", "--tokenizer", "estimate").returncode == 0
    acknowledged = []
    next_document = [0]

    def stream(stop):
        with cluster.channel() as channel:
            stub = coordinator_pb2_grpc.CoordinatorStub(channel)
            while not stop.is_set():
                batch = documents(next_document[0], 4)
                next_document[0] += 4
                try:
                    summary = stub.Ingest(iter([coordinator_pb2.IngestRequest(namespace="snap", documents=batch)]), timeout=10)
                except grpc.RpcError:
                    time.sleep(0.05)
                    continue
                rejected = {r.document_id for r in summary.rejected}
                acknowledged.extend(d.id for d in batch if d.id not in rejected)

    rng = random.Random(19)
    probes = ["replication checkpoint", "quorum", "heartbeat segment", "journal eviction"]
    for _ in range(3):
        stop = threading.Event()
        writer = threading.Thread(target=stream, args=(stop,))
        writer.start()
        time.sleep(rng.uniform(0.4, 1.2))
        cluster.restart_worker(0)  # SIGKILL with writes and snapshots in flight
        stop.set()
        writer.join()
        cluster.wait_replicated(1)
        with cluster.channel() as channel:
            stub = coordinator_pb2_grpc.CoordinatorStub(channel)
            for doc in acknowledged:
                n = int(doc[len("docs/d"):-len(".txt")])
                degraded, passages = query(stub, "snap", word(n), top_k=1)
                assert not degraded and passages and passages[0][0] == doc, (doc, passages)
    assert len(acknowledged) >= 12
    loaded, rebuilt = cluster.last_index_line()
    assert loaded + rebuilt > 0
    with cluster.channel() as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        restored = [query(stub, "snap", text, top_k=20) for text in probes]
    # The same store with no snapshots at all: every slot rebuilt from its chunks.
    cluster.workers[0].kill()
    shutil.rmtree(cluster.root / "worker-1" / "search-index")
    cluster.workers[0] = cluster.start_worker(1, cluster.workers[0].address)
    cluster.wait_replicated(1)
    assert cluster.last_index_line()[0] == 0
    with cluster.channel() as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        assert [query(stub, "snap", text, top_k=20) for text in probes] == restored
