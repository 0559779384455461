"""The Python client (clients/python, installed into .venv by install-deps) against a real cluster."""
import subprocess
from pathlib import Path

import pytest
import xxhash

import strata_client
from agent_cluster import AgentCluster
from strata_client import Document, InvalidArgument, NotFound, OutOfRange, Strata, StrataError, Unavailable

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster():
    cluster = AgentCluster(workers=1, replicas=1)
    yield cluster
    cluster.stop()


def test_stubs_are_generated_at_build_time_not_committed():
    tracked = subprocess.run(["git", "ls-files", "clients/python"], cwd=REPO, capture_output=True, text=True).stdout
    assert "_pb2" not in tracked
    generated = Path(strata_client.__file__).parent / "_generated" / "strata" / "v1"
    assert (generated / "coordinator_pb2_grpc.py").exists()


def test_ingest_query_read_and_delete(cluster):
    with Strata(cluster.address, timeout=30) as strata:
        info = strata.create_namespace("py", tokenizer="cl100k_base")
        assert info.name == "py" and info.documents == 0

        def documents():  # a generator: the client batches it as gRPC asks for more (back-pressure)
            for index in range(1200):
                yield Document(f"notes/{index:04d}.md", f"# Note {index}\nslot {index} is replicated twice\n",
                               metadata={"parity": "even" if index % 2 == 0 else "odd"})
            yield ("guide.md", "# Guide\nThe coordinator assembles context under a token budget.\n")

        summary = strata.ingest("py", documents(), batch_documents=100)
        assert summary.documents == 1201 and summary.rejected == [] and summary.tokens > 0

        context = strata.query("py", "coordinator assembles context budget", token_budget=300)
        assert context.degraded is False and context.degraded_reason == "" and 0 < context.tokens <= 300
        top = context.passages[0]
        assert top.document_id == "guide.md" and top.line_start == 1 and top.line_end == 2 and top.score > 0
        assert "### guide.md" in context.text and top.provenance.byte_end > top.provenance.byte_start

        filtered = strata.query("py", "slot replicated", where={"parity": "odd"}, path_prefix="notes/", top_k=5, order="score")
        assert filtered.passages and all(p.metadata == {"parity": "odd"} for p in filtered.passages)

        read = strata.read_document("py", "guide.md", line_start=2)
        assert read.text == "The coordinator assembles context under a token budget.\n" and read.total_lines == 2

        entries = {e.document_id: e for e in strata.list_documents("py", prefix="notes/00", page_size=7)}
        assert len(entries) == 100
        assert entries["notes/0003.md"].content_hash == xxhash.xxh3_128_hexdigest(b"# Note 3\nslot 3 is replicated twice\n")

        assert strata.delete("py", ["guide.md", "absent.md"]) == 1
        assert strata.namespace_status("py").info.documents == 1200


def test_errors_carry_the_grpc_status(cluster):
    import grpc
    with Strata(cluster.address) as strata:
        with pytest.raises(NotFound) as missing:
            strata.query("nowhere", "x")
        assert missing.value.code == grpc.StatusCode.NOT_FOUND and "nowhere" in missing.value.details
        with pytest.raises(InvalidArgument):
            strata.create_namespace("../bad")
        strata.create_namespace("errs")
        with pytest.raises(OutOfRange):
            list(strata.list_documents("errs", page_size=20000))
        summary = strata.ingest("errs", [("../escape", "x"), ("fine", "text")])
        assert summary.documents == 1 and summary.rejected[0][0] == "../escape"
    with pytest.raises(StrataError) as down:
        Strata("127.0.0.1:1", timeout=2).list_namespaces()
    assert down.value.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    # Several addresses: the first that answers is used.
    with Strata(["127.0.0.1:1", cluster.address], timeout=3) as strata:
        assert strata.address == cluster.address and any(n.name == "errs" for n in strata.list_namespaces())
    # A CA makes the channel TLS; a plaintext coordinator cannot complete the handshake.
    with pytest.raises(Unavailable):
        Strata(cluster.address, ca=b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", timeout=2).list_namespaces()


def test_sync_mirrors_a_directory(cluster, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / ".gitignore").write_text("*.tmp\n")
    (tmp_path / "docs" / "a.md").write_text("alpha\n")
    (tmp_path / "docs" / "b.md").write_text("beta\n")
    (tmp_path / "scratch.tmp").write_text("ignored\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00binary")
    with Strata(cluster.address) as strata:
        strata.create_namespace("pysync")
        first = strata.sync(str(tmp_path), "pysync")
        assert (first.added, first.changed, first.deleted, first.unchanged) == (3, 0, 0, 0)
        assert [path for path, _ in first.skipped] == [str(tmp_path / "blob.bin")]
        (tmp_path / "docs" / "a.md").write_text("alpha 2\n")
        (tmp_path / "docs" / "b.md").unlink()
        second = strata.sync(str(tmp_path), "pysync")
        assert (second.added, second.changed, second.deleted, second.unchanged) == (0, 1, 1, 1)
        assert {e.document_id for e in strata.list_documents("pysync")} == {".gitignore", "docs/a.md"}
        last = strata.namespace_status("pysync").last_sync
        assert last.state == "finished" and last.to_change == 1 and last.deleted == 1
    # The CLI agrees with the Python client's hashes: nothing to send.
    again = cluster.strata("sync", str(tmp_path), "--namespace", "pysync", check=True)
    assert "added 0, changed 0, deleted 0, unchanged 2" in again.stdout
