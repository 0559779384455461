"""Issue 5, proofs 4 and 5, with real processes on loopback: a coordinator killed with SIGKILL
in the middle of an ingest loses nothing it acknowledged, and a fourth worker joining a
3-worker cluster takes its share of the slots without changing any query's answer."""
import os
import re
import signal
import subprocess
import threading
import time

import grpc
import pytest

from conftest import BIN_DIR, free_port, remove_warm_tiers_under

FAST_COORDINATOR = ["--set", "coordinator.heartbeat_interval_ms=100", "--set", "coordinator.suspect_after_ms=500",
                    "--set", "coordinator.dead_after_ms=1500"]
FAST_WORKER = ["--set", "coordinator.heartbeat_interval_ms=100"]
TOPICS = ["replication", "checkpoint", "tokenizer", "quorum", "heartbeat", "segment", "compaction", "placement",
          "rendezvous", "snapshot", "throughput", "latency", "manifest", "journal", "eviction", "prefetch"]


class Process:
    """A Strata executable on a fixed address, its output in a log file (a pipe nobody reads
    would fill up and block the node)."""

    def __init__(self, binary, args, log):
        self.log = log
        # A restarted node appends to the log of the one before it: wait for this process's
        # own "serving on", not the old one's (which made a restart return at once).
        start = os.path.getsize(log) if os.path.exists(log) else 0
        with open(log, "ab") as out:
            self.process = subprocess.Popen([str(BIN_DIR / binary), *args], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            with open(log, "rb") as f:
                f.seek(start)
                if b"serving on" in f.read():
                    break
            assert self.process.poll() is None, f"{binary} exited with {self.process.returncode}: {open(log).read()}"
            assert time.time() < deadline, f"{binary} did not start: {open(log).read()[start:]}"
            time.sleep(0.05)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Cluster:
    """A coordinator (R = 2, fast failure detection) and workers, all on loopback."""

    def __init__(self, root, replicas=2, coordinator_settings=FAST_COORDINATOR):
        self.root = root
        self.replicas = replicas
        self.coordinator_settings = coordinator_settings
        self.coordinator_address = f"127.0.0.1:{free_port()}"
        self.coordinator = None
        self.workers = []

    def start_coordinator(self):
        # The log is appended to, so a restarted coordinator's "serving on" must be new: use a new log.
        log = self.root / f"coordinator-{time.time_ns()}.log"
        self.coordinator = Process("strata-coordinator", ["--listen", self.coordinator_address, "--data",
                                                          str(self.root / "coordinator"), "--replicas", str(self.replicas),
                                                          *self.coordinator_settings], log)

    def add_worker(self):
        n = len(self.workers) + 1
        worker = self.start_worker(n, f"127.0.0.1:{free_port()}")
        self.workers.append(worker)
        return worker

    def start_worker(self, n, address):
        """Starts worker n (1-based) on `address` over its data directory (a restart when it ran before)."""
        worker = Process("strata-worker", ["--listen", address, "--data", str(self.root / f"worker-{n}"), "--coordinator",
                                           self.coordinator_address, *FAST_WORKER], self.root / f"worker-{n}.log")
        worker.address = address
        return worker

    def restart_worker(self, index):
        """SIGKILLs self.workers[index] and starts it again on the same address and data."""
        old = self.workers[index]
        old.kill()
        self.workers[index] = self.start_worker(index + 1, old.address)
        return self.workers[index]

    def stop(self):
        for worker in self.workers:
            worker.stop()
        if self.coordinator:
            self.coordinator.stop()
        # Stopped workers keep their warm tier in shared memory for a restart; these never restart.
        remove_warm_tiers_under(self.root)

    def strata(self, *args):
        result = subprocess.run([str(BIN_DIR / "strata"), *args, "--coordinator", self.coordinator_address],
                                capture_output=True, text=True, timeout=60)
        return result

    def status(self):
        return self.strata("status").stdout

    def wait_replicated(self, workers, timeout=60):
        """Waits until `workers` serve and every slot has R up-to-date replicas, no copy in flight."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            status = self.status()
            if (f"workers: {workers} serving" in status and "under-replicated: 0, unavailable: 0" in status
                    and "copying slot" not in status):
                return status
            time.sleep(0.2)
        raise AssertionError(f"not fully replicated after {timeout} s:\n{self.status()}")

    def wait_settled(self, workers, quiet=2.0, timeout=60):
        """Waits until fully replicated and the map has not changed for `quiet` seconds (copies
        finish between two status calls, so an empty copy list alone does not mean done)."""
        deadline = time.time() + timeout
        version, since = None, time.time()
        while time.time() < deadline:
            status = self.wait_replicated(workers, timeout=max(1, deadline - time.time()))
            current = re.search(r"map version (\d+)", status).group(1)
            if current != version:
                version, since = current, time.time()
            elif time.time() - since >= quiet:
                return status
            time.sleep(0.2)
        raise AssertionError(f"the map kept changing for {timeout} s:\n{self.status()}")

    def worker_slots(self):
        """`strata nodes`: slots held per worker address."""
        lines = self.strata("nodes").stdout.splitlines()
        column = lines[0].split().index("SLOTS")  # columns are single words up to SLOTS
        rows = [line.split() for line in lines[1:] if line.startswith("worker")]
        return {row[2]: int(row[column]) for row in rows}

    def worker_tokens(self):
        """`strata nodes`: tokens stored per worker address (the TOKENS column)."""
        lines = self.strata("nodes").stdout.splitlines()
        column = lines[0].split().index("TOKENS")
        rows = [line.split() for line in lines[1:] if line.startswith("worker")]
        return {row[2]: int(row[column]) for row in rows}

    def channel(self):
        return grpc.insecure_channel(self.coordinator_address)


def word(n):
    """A letters-only word unique to document n (the lexical index splits digits from letters)."""
    letters = ""
    n += 26 * 26
    while n:
        n, r = divmod(n, 26)
        letters += chr(ord("a") + r)
    return f"zq{letters}xv"


def documents(first, count):
    from strata.v1 import common_pb2
    return [common_pb2.Document(id=f"docs/d{n:05d}.txt",
                                text=f"Document {n} is about {TOPICS[n % len(TOPICS)]} and {TOPICS[n * 7 % len(TOPICS)]}.\n"
                                     f"Its marker is {word(n)}.\n")
            for n in range(first, first + count)]


def ingest(stub, namespace, docs, timeout=30):
    from strata.v1 import coordinator_pb2
    summary = stub.Ingest(iter([coordinator_pb2.IngestRequest(namespace=namespace, documents=docs)]), timeout=timeout)
    assert summary.documents == len(docs) and not summary.rejected, summary
    return summary


def query(stub, namespace, text, top_k=10):
    """Lexical top-k: (degraded, [(document id, score), ...]) in rank order; degraded is False or
    the answer's reason for being degraded."""
    from strata.v1 import coordinator_pb2, common_pb2
    request = coordinator_pb2.QueryRequest(namespace=namespace, text=text, mode=common_pb2.QUERY_MODE_LEXICAL, top_k=top_k,
                                           token_budget=2000, order=common_pb2.CONTEXT_ORDER_SCORE)
    degraded, passages = None, []
    for item in stub.Query(request, timeout=30):
        if item.HasField("header"):
            degraded = item.header.degraded_reason or "degraded" if item.header.degraded else False
        elif item.HasField("passage"):
            passages.append((item.passage.provenance.document_id, round(item.passage.score, 6)))
    return degraded, passages


def namespace_documents(cluster, name):
    listed = cluster.strata("namespace", "list")
    assert listed.returncode == 0, listed.stderr
    for line in listed.stdout.splitlines()[1:]:
        fields = line.split()
        if fields[0] == name:
            return int(fields[3])
    raise AssertionError(f"namespace {name} missing:\n{listed.stdout}")


@pytest.fixture
def cluster(tmp_path, stubs):
    cluster = Cluster(tmp_path)
    try:
        cluster.start_coordinator()
        yield cluster
    finally:
        cluster.stop()


def test_coordinator_sigkill_mid_ingest_loses_nothing_acknowledged(cluster):
    from strata.v1 import coordinator_pb2_grpc
    for _ in range(3):
        cluster.add_worker()
    before = cluster.wait_replicated(3)
    cluster_id = re.search(r"cluster (\S+)", before).group(1)
    assert cluster.strata("namespace", "create", "crash", "--tokenizer", "estimate").returncode == 0

    acknowledged, failures, stop = [], [], threading.Event()
    batch = 10

    def ingest_until_stopped():
        with cluster.channel() as channel:
            stub = coordinator_pb2_grpc.CoordinatorStub(channel)
            n = 0
            while not stop.is_set():
                docs = documents(n, batch)
                try:
                    ingest(stub, "crash", docs, timeout=5)
                    acknowledged.extend(docs)
                except grpc.RpcError as error:
                    failures.append(error.code())
                    return
                n += batch

    open_call = []

    def ingest_left_open():
        """An Ingest call that has sent a batch and is still open when the coordinator dies."""
        from strata.v1 import coordinator_pb2

        def requests():
            yield coordinator_pb2.IngestRequest(namespace="crash", documents=documents(50_000, batch))
            stop.wait(60)
        with cluster.channel() as channel:
            try:
                coordinator_pb2_grpc.CoordinatorStub(channel).Ingest(requests(), timeout=60)
                open_call.append("acknowledged")
            except grpc.RpcError as error:
                open_call.append(error.code())

    ingester = threading.Thread(target=ingest_until_stopped)
    ingester.start()
    deadline = time.time() + 60
    while len(acknowledged) < 300 and ingester.is_alive() and time.time() < deadline:
        time.sleep(0.01)
    assert len(acknowledged) >= 300, f"ingest stalled: {len(acknowledged)} acknowledged, failures {failures}"
    left_open = threading.Thread(target=ingest_left_open)
    left_open.start()
    time.sleep(0.5)  # its batch has reached the coordinator
    cluster.coordinator.kill()  # while both ingests are in flight
    stop.set()
    ingester.join(timeout=30)
    left_open.join(timeout=30)
    assert failures, "the ingest in flight when the coordinator died must fail"
    assert open_call and open_call[0] != "acknowledged", open_call

    cluster.start_coordinator()
    after = cluster.wait_replicated(3, timeout=30)
    assert re.search(r"cluster (\S+)", after).group(1) == cluster_id
    assert "slots fully replicated: 256" in after
    stored = namespace_documents(cluster, "crash")
    # The two batches in flight may or may not have been applied before the kill; nothing acknowledged is missing.
    assert len(acknowledged) <= stored <= len(acknowledged) + 2 * batch

    with cluster.channel() as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        # Writes after the restart must get new sequence numbers, not reuse ones already on the workers.
        later = documents(100_000, 50)
        ingest(stub, "crash", later)
        for doc in acknowledged + later:
            n = int(doc.id[len("docs/d"):-len(".txt")])
            degraded, passages = query(stub, "crash", word(n), top_k=1)
            assert degraded is False, degraded
            assert passages and passages[0][0] == doc.id, f"{doc.id} ({word(n)}) not found: {passages}"
    assert namespace_documents(cluster, "crash") == stored + 50


def test_fourth_worker_takes_its_share_and_answers_do_not_change(cluster):
    from strata.v1 import coordinator_pb2_grpc
    for _ in range(3):
        cluster.add_worker()
    cluster.wait_replicated(3)
    assert cluster.strata("namespace", "create", "grow", "--tokenizer", "estimate").returncode == 0
    questions = TOPICS + [f"{a} {b}" for a, b in zip(TOPICS, reversed(TOPICS))]
    with cluster.channel() as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        for first in range(0, 1500, 250):  # enough documents that nearly every slot holds data
            ingest(stub, "grow", documents(first, 250))
        answers = {q: query(stub, "grow", q) for q in questions}
    assert all(degraded is False and len(passages) == 10 for degraded, passages in answers.values())
    cluster.wait_settled(3)
    old = cluster.worker_slots()
    assert len(old) == 3

    old_tokens = cluster.worker_tokens()
    new = cluster.add_worker()
    # A slot-replica is one slot's copy on one worker; the data does not change, so once the
    # old holders have dropped the copies that moved, the cluster holds as many as before the
    # join. The new worker's fair share is a quarter of them.
    replicas = sum(old.values())
    deadline = time.time() + 90
    # Gradual: the status lists the copies in flight with their purpose; never more than the
    # configured limits (defaults: 2 into one worker, 4 rebalancing, 8 in all) at once.
    most_into_one, most_rebalancing, most_in_flight = 0, 0, 0
    while time.time() < deadline:
        copies = re.findall(r"^  slot \d+: (\S+) -> (\S+) \((\w+)\)", cluster.status(), re.M)
        targets = [target for _, target, _ in copies]
        most_into_one = max([most_into_one] + [targets.count(t) for t in targets])
        most_rebalancing = max(most_rebalancing, sum(1 for *_, purpose in copies if purpose == "rebalance"))
        most_in_flight = max(most_in_flight, len(copies))
        slots = cluster.worker_slots()
        if slots.get(new.address, 0) >= 0.2 * replicas and sum(slots.values()) == replicas:
            break
        time.sleep(0.1)
    assert most_rebalancing > 0, "no rebalancing copy was ever seen in the status"
    assert most_into_one <= 2 and most_rebalancing <= 4 and most_in_flight <= 8, (most_into_one, most_rebalancing, most_in_flight)
    print(f"\n[proof 5] copies seen at once: {most_in_flight} in flight, {most_rebalancing} rebalancing, {most_into_one} into one worker")
    cluster.wait_settled(4)
    slots = cluster.worker_slots()
    assert slots.get(new.address, 0) >= 0.2 * replicas, f"the new worker got too little: {slots} (before: {old})"
    # Surplus copies are dropped: exactly R copies of every slot remain, and the load evens out.
    assert sum(slots.values()) == replicas, f"surplus copies were not dropped: {slots} (before: {old})"
    mean = sum(slots.values()) / len(slots)
    assert all(0.7 * mean <= count <= 1.3 * mean for count in slots.values()), slots
    tokens = cluster.worker_tokens()
    for address, before in old_tokens.items():
        assert slots[address] < old[address], f"{address} dropped nothing: {slots} (before: {old})"
        assert tokens[address] < before, f"{address} still stores {tokens[address]} tokens (before: {before})"
    print(f"[proof 5] slot-replicas before {old}, after {slots}; tokens before {old_tokens}, after {tokens}")

    with cluster.channel() as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        for q in questions:
            assert query(stub, "grow", q) == answers[q], q
