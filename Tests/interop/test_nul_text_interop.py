"""Text holding a NUL character (U+0000) is refused by field, never stored cut short.

protobuf-c hands string fields over as C strings, which end at the first NUL; before the wire
layer checked for it, "before\\0after" was acknowledged and stored as "before"."""
import grpc
import pytest

from test_cli import cluster, strata  # noqa: F401 (cluster is a fixture: one coordinator, one worker)


def passages(stub, namespace, text):
    from strata.v1 import coordinator_pb2
    items = list(stub.Query(coordinator_pb2.QueryRequest(namespace=namespace, text=text, top_k=10, token_budget=1000), timeout=30))
    return [(item.passage.provenance.document_id, item.passage.text) for item in items if item.WhichOneof("item") == "passage"]


def test_a_nul_in_text_is_refused_and_nothing_is_stored(stubs, cluster):
    from strata.v1 import common_pb2, coordinator_pb2, coordinator_pb2_grpc
    coordinator, _, _ = cluster
    with grpc.insecure_channel(coordinator.address) as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        stub.CreateNamespace(coordinator_pb2.CreateNamespaceRequest(name="nul", tokenizer="estimate"), timeout=10)
        good = common_pb2.Document(id="good.md", text="the quarterly rotation of signing keys")
        assert stub.Ingest(iter([coordinator_pb2.IngestRequest(namespace="nul", documents=[good])]), timeout=30).documents == 1

        cut = common_pb2.Document(id="cut.md", text="the quarterly rotation\x00 of hidden keys")
        with pytest.raises(grpc.RpcError) as refused:
            stub.Ingest(iter([coordinator_pb2.IngestRequest(namespace="nul", documents=[good, cut])]), timeout=30)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "documents[1].text contains a NUL character (U+0000)" in refused.value.details()

        with pytest.raises(grpc.RpcError) as refused:
            passages(stub, "nul", "quarterly\x00rotation")
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "text contains a NUL" in refused.value.details()

        # Nothing of the refused batch was stored, and the coordinator keeps serving.
        assert [doc for doc, _ in passages(stub, "nul", "quarterly rotation")] == ["good.md"]


def test_cli_skips_a_file_with_a_nul_past_the_binary_probe(stubs, cluster):
    coordinator, _, tmp = cluster
    folder = tmp / "nul-files"
    folder.mkdir()
    (folder / "fine.md").write_text("the replication runbook\n")
    (folder / "late.log").write_bytes(b"a" * 9000 + b"\x00" + b"tail\n")
    assert strata("namespace", "create", "nulcli", "--tokenizer", "estimate", coordinator=coordinator.address).returncode == 0
    ingested = strata("ingest", "--namespace", "nulcli", "--verbose", str(folder), coordinator=coordinator.address)
    assert ingested.returncode == 0, ingested.stderr
    assert "ingested 1 documents" in ingested.stdout
    assert "binary: NUL byte at offset 9000" in ingested.stdout + ingested.stderr
