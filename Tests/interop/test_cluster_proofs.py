"""Issue 5's proofs 1-3 with real processes on loopback: a coordinator and three workers with
two replicas per slot, against a one-worker reference cluster.

1. A real corpus of at least 1M cl100k_base tokens (Python's standard library) answers every
   lexical query exactly as the one-worker reference does (passages and scores).
2. A worker SIGKILLed mid-ingest loses no acknowledged document, and the coordinator restores
   full replication by itself (figures printed: time to detect, time to re-replicate).
3. The killed worker, restarted on its data directory, catches up by delta: it copies fewer
   writes than its slots hold, and ends at the same positions as the other replicas.

The tests share one cluster and run in file order (each proof starts from where the last one
left the cluster). Run with `-s` to see the figures."""
import os
import shutil
import sysconfig
import time
from pathlib import Path

import pytest

from cluster_proof_nodes import (FAST_DETECTION, FAST_HEARTBEATS, PATIENT_DETECTION, CoordinatorClient, ProofNode, copied_slots,
                                 ingested_tokens, strata, strata_background, stuck_slots)
from conftest import remove_warm_tiers_under

NAMESPACE = "stdlib"
MARKED = "marked"
MIN_TOKENS = 1_000_000
# Packages first, then top-level modules in name order, until the corpus holds this many bytes
# of source (Python source is about 5 bytes per cl100k_base token; 6 MB gives ~1.2M tokens).
CORPUS_BYTES = 6_000_000
PACKAGES = ["json", "email", "http", "logging", "asyncio", "unittest", "xml", "concurrent", "importlib", "urllib",
            "multiprocessing", "sqlite3", "ctypes", "collections", "html", "wsgiref", "xmlrpc", "zoneinfo", "dbm",
            "tkinter", "idlelib", "lib2to3", "distutils", "pydoc_data"]
SKIPPED_DIRS = {"test", "tests", "idle_test", "__pycache__"}

QUERIES = [
    "parse a JSON document from a string", "JSONDecodeError", "run_until_complete", "call_soon_threadsafe",
    "assertEqual first second msg", "getLogger handler formatter", "RotatingFileHandler maxBytes backupCount",
    "HTTPConnection request headers body", "BaseHTTPRequestHandler send_response", "urlparse netloc",
    "quote_plus safe encoding", "ElementTree iterparse events", "parseString minidom", "message_from_string policy",
    "MIMEMultipart attach", "ThreadPoolExecutor submit future", "import_module package", "sqlite3 connect cursor",
    "Structure _fields_", "StreamReader readline", "Semaphore acquire release", "patch object autospec",
    "ContentHandler startElement", "decode_header charset", "subprocess transport pipe", "SimpleCookie",
]
MARKED_DOCUMENTS = 240
# common.proto: NodeRole.NODE_ROLE_WORKER, NodeState.NODE_STATE_SERVING and NODE_STATE_DEAD.
WORKER, SERVING, DEAD = 2, 2, 4


def marker(i):
    """A word that occurs in exactly one document: proofmark + i in base-26 letters."""
    letters = ""
    for _ in range(4):
        letters = chr(ord("a") + i % 26) + letters
        i //= 26
    return f"proofmark{letters}"


def build_corpus(root):
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = []
    for package in PACKAGES:
        for directory, subdirs, names in os.walk(stdlib / package):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
            files += [Path(directory) / n for n in sorted(names) if n.endswith(".py")]
    files += sorted(p for p in stdlib.glob("*.py"))
    total = 0
    for source in files:
        if total >= CORPUS_BYTES:
            break
        size = source.stat().st_size
        if size == 0:
            continue
        target = root / source.relative_to(stdlib)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        total += size
    return sorted(p for p in root.rglob("*.py"))


@pytest.fixture(scope="module")
def proof(stubs, tmp_path_factory):
    """The cluster under test (left running across the three proofs), the corpus, and a
    scratch dict the proofs hand figures and results on in."""
    root = tmp_path_factory.mktemp("proofs")
    corpus = root / "corpus"
    files = build_corpus(corpus)
    nodes = []
    try:
        coordinator = ProofNode("strata-coordinator", root, "coordinator", ["--replicas", "2", *FAST_DETECTION])
        nodes.append(coordinator)
        for n in (1, 2, 3):
            nodes.append(ProofNode("strata-worker", root, f"worker-{n}", ["--coordinator", coordinator.address, *FAST_HEARTBEATS]))
        client = CoordinatorClient(coordinator)
        client.wait(lambda s: sum(1 for n in s.nodes if n.state == SERVING and n.role == WORKER) == 3
                    and s.slots_under_replicated == 0 and s.slots_unavailable == 0, 30, "three serving workers")
        yield {"root": root, "corpus": corpus, "files": files, "coordinator": coordinator, "workers": nodes[1:],
               "client": client, "results": {}}
        client.close()
    finally:
        for node in reversed(nodes):
            node.stop()
        # Stopped workers keep their warm tier in shared memory for a restart; these never restart.
        remove_warm_tiers_under(root)


def create_and_ingest(coordinator, namespace, corpus):
    created = strata(coordinator, "namespace", "create", namespace, "--tokenizer", "cl100k_base")
    assert created.returncode == 0, created.stderr
    ingested = strata(coordinator, "ingest", "--namespace", namespace, corpus)
    assert ingested.returncode == 0, ingested.stderr
    return ingested_tokens(ingested.stdout)


def test_three_workers_answer_exactly_as_one_worker(proof, tmp_path):
    corpus, client = proof["corpus"], proof["client"]
    documents, tokens, seconds = create_and_ingest(proof["coordinator"], NAMESPACE, corpus)
    print(f"\n[proof 1] 3 workers, R=2: ingested {documents} documents, {tokens} tokens in {seconds:.1f} s "
          f"({tokens / seconds:,.0f} tokens/s, debug build)")
    assert tokens >= MIN_TOKENS, f"the corpus has only {tokens} tokens"
    assert documents == len(proof["files"])

    reference = ProofNode("strata-coordinator", tmp_path, "reference", ["--replicas", "1", *PATIENT_DETECTION])
    worker = None
    try:
        worker = ProofNode("strata-worker", tmp_path, "reference-worker", ["--coordinator", reference.address, *FAST_HEARTBEATS])
        reference_client = CoordinatorClient(reference)
        reference_client.wait(lambda s: s.slots_fully_replicated == s.slot_count, 30, "the reference worker")
        ref_documents, ref_tokens, ref_seconds = create_and_ingest(reference, NAMESPACE, corpus)
        print(f"[proof 1] reference, 1 worker, R=1: {ref_documents} documents, {ref_tokens} tokens in {ref_seconds:.1f} s")
        assert (ref_documents, ref_tokens) == (documents, tokens)

        compared = 0
        for query in QUERIES:
            header, passages = client.lexical(NAMESPACE, query)
            ref_header, expected = reference_client.lexical(NAMESPACE, query)
            assert not header.degraded, header.degraded_reason
            assert not ref_header.degraded, f"{ref_header.degraded_reason}; reference worker log:\n{worker.log()[-3000:]}"
            assert passages, f"no passage for {query!r}"
            assert [p[:4] for p in passages] == [p[:4] for p in expected], query
            for got, want in zip(passages, expected):
                assert abs(got[4] - want[4]) <= 1e-9, (query, got[:3], got[4], want[4])
            compared += len(passages)
            proof["results"][query] = expected
        reference_client.close()
        print(f"[proof 1] {len(QUERIES)} lexical queries, {compared} passages: identical documents, line ranges, "
              f"text and scores")
    finally:
        for node in (worker, reference):
            if node is not None:
                node.stop()
        remove_warm_tiers_under(tmp_path)


def write_marked_documents(root, files):
    """Documents that each carry one unique marker word, with real source text around it."""
    root.mkdir()
    for i in range(MARKED_DOCUMENTS):
        text = files[i % len(files)].read_text(errors="replace")[:9000]
        (root / f"doc-{i:04d}.py").write_text(f"# {marker(i)}\n{text}\n# end of {marker(i)}\n")


def test_worker_killed_mid_ingest_loses_no_acknowledged_document(proof):
    coordinator, client = proof["coordinator"], proof["client"]
    assert proof["results"], "proof 1 must run first"
    victim = proof["workers"][2]
    marked = proof["root"] / "marked-corpus"
    write_marked_documents(marked, proof["files"])
    assert strata(coordinator, "namespace", "create", MARKED, "--tokenizer", "cl100k_base").returncode == 0

    # Small batches, so that the kill lands between acknowledged batches.
    ingest_args = ["ingest", "--namespace", MARKED, "--batch-files", "8", marked]
    ingest = strata_background(coordinator, *ingest_args)
    for _ in range(3):
        line = ingest.stderr.readline()
        assert "files" in line, line
    assert ingest.poll() is None, "the ingest finished before the kill"
    victim.kill()
    killed_at = time.monotonic()
    out, err = ingest.communicate(timeout=300)
    attempts = [ingest.returncode]

    client.wait(lambda s: any(n.address == victim.address and n.state == DEAD for n in s.nodes), 30, "the victim dead")
    dead_at = time.monotonic()
    status, settled_since = None, None
    while True:
        status = client.status()
        if (status.slots_under_replicated == 0 and status.slots_unavailable == 0
                and sum(1 for n in status.nodes if n.role == WORKER and n.state == SERVING) == 2):
            break
        # A regression guard: slots held back for good with a pending DROP (a fixed bug, see
        # stuck_slots) fail at once with the evidence instead of after the timeout.
        settled = not status.transfers and stuck_slots(coordinator)
        settled_since = (settled_since or time.monotonic()) if settled else None
        if settled_since and time.monotonic() - settled_since > 3:
            stuck = stuck_slots(coordinator)
            pytest.fail(f"slots {stuck} stay under-replicated with a pending DROP on a live worker:\n{status}")
        assert time.monotonic() - dead_at < 90, f"timed out waiting for full replication:\n{status}"
        time.sleep(0.05)
    replicated_at = time.monotonic()
    print(f"\n[proof 2] worker killed mid-ingest; marked dead after {dead_at - killed_at:.2f} s "
          f"(dead_after_ms=3000, heartbeats every 100 ms); full replication {replicated_at - dead_at:.2f} s later "
          f"({status.slots_fully_replicated} slots fully replicated on 2 workers)")

    # The CLI exits 0 only when every batch was acknowledged; a batch refused for lack of
    # quorum is sent again (upserts are idempotent).
    while attempts[-1] != 0:
        assert len(attempts) < 5, f"ingest kept failing: {attempts}\n{err}"
        result = strata(coordinator, *ingest_args)
        out, err = result.stdout, result.stderr
        attempts.append(result.returncode)
    documents, tokens, seconds = ingested_tokens(out)
    print(f"[proof 2] ingest exit codes {attempts} (the last one acknowledged all {documents} documents, {tokens} tokens)")
    assert documents == MARKED_DOCUMENTS

    for i in range(MARKED_DOCUMENTS):
        header, passages = client.lexical(MARKED, marker(i), top_k=3)
        assert not header.degraded, header
        assert passages and {p[0] for p in passages} == {f"doc-{i:04d}.py"}, (marker(i), [p[:3] for p in passages])
    # The first corpus still answers exactly as the reference did, now from two workers.
    for query, expected in proof["results"].items():
        _, passages = client.lexical(NAMESPACE, query)
        assert [p[:4] for p in passages] == [p[:4] for p in expected], query
        assert all(abs(g[4] - w[4]) <= 1e-9 for g, w in zip(passages, expected)), query
    print(f"[proof 2] all {MARKED_DOCUMENTS} marked documents found; {len(proof['results'])} queries on the first corpus unchanged")


def test_restarted_worker_catches_up_by_delta(proof):
    client, victim = proof["client"], proof["workers"][2]
    assert victim.process.poll() is not None, "proof 2 must run first"
    remembered = {n.address: {s.slot: s.sequence for s in n.slots} for n in client.workers()}[victim.address]
    restarted_at = time.monotonic()
    victim.start()

    def caught_up(status):
        workers = [n for n in status.nodes if n.role == WORKER]
        if not all(n.state == SERVING for n in workers) or len(workers) != 3:
            return False
        if status.slots_under_replicated or status.slots_unavailable:
            return False
        highest = {}
        for node in workers:
            for s in node.slots:
                highest[s.slot] = max(highest.get(s.slot, 0), s.sequence)
        mine = next(n for n in workers if n.address == victim.address)
        return bool(mine.slots) and all(s.sequence == highest[s.slot] for s in mine.slots)

    status = client.wait(caught_up, 60, "the restarted worker at the other replicas' positions")
    positions = {s.slot: s.sequence for s in next(n for n in status.nodes if n.address == victim.address).slots}
    # The coordinator's last view of the dead worker is at most what it held (writes that were
    # durable on it but never acknowledged are unknown), so this bounds what a delta copy moves.
    behind = {slot: seq - remembered.get(slot, 0) for slot, seq in positions.items() if seq > remembered.get(slot, 0)}
    # The "copied slot" line is logged when a copy's stream ends, just after its writes land:
    # wait until no new line comes for a second.
    copies, deadline = copied_slots(victim.log()), time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(1)
        latest = copied_slots(victim.log())
        if latest == copies:
            break
        copies = latest
    caught_up_at = time.monotonic() - 1
    copied = sum(writes for _, writes in copies)
    held = sum(positions.values())  # a slot's sequence numbers count its writes from 1 (with gaps)
    print(f"\n[proof 3] restarted worker caught up in {caught_up_at - restarted_at:.2f} s: {len(copies)} slot copies, "
          f"{copied} writes copied; by the coordinator's last view it was at most {sum(behind.values())} writes "
          f"behind in {len(behind)} slots; its {len(positions)} slots hold up to {held} writes (a full copy)")
    assert behind, "the worker missed nothing: the kill did not land mid-ingest"
    assert copies, "the restarted worker copied nothing"
    assert {slot for slot, _ in copies} <= set(positions)
    assert copied <= sum(behind.values()), "a copy moved writes the worker already held"
    assert copied < held
