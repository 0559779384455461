"""Document metadata and `Filter.metadata_equals` from a Python grpcio client through a real
coordinator and worker, and the `strata ingest --meta` / `strata query --where` options."""
import grpc
import pytest

from test_cli import cluster, strata  # noqa: F401 (cluster is a fixture: one coordinator, one worker)


def passages(stub, namespace, text, pairs, vector=None):
    """The passages of a query filtered on `pairs`."""
    from strata.v1 import common_pb2, coordinator_pb2
    request = coordinator_pb2.QueryRequest(
        namespace=namespace, text=text, vector=vector or [], top_k=10, token_budget=1000,
        filter=common_pb2.Filter(metadata_equals=[common_pb2.KeyValue(key=k, value=v) for k, v in pairs]))
    items = list(stub.Query(request, timeout=30))
    assert items[0].WhichOneof("item") == "header" and not items[0].header.degraded
    assert items[-1].WhichOneof("item") == "summary"
    return [item.passage for item in items if item.WhichOneof("item") == "passage"]


def query(stub, namespace, text, pairs, vector=None):
    """The document ids of the passages of a query filtered on `pairs`."""
    return [p.provenance.document_id for p in passages(stub, namespace, text, pairs, vector)]


def metadata(stub, namespace, text, pairs, vector=None):
    """Document id to the metadata pairs its passage carries, in wire order."""
    return {p.provenance.document_id: [(kv.key, kv.value) for kv in p.metadata]
            for p in passages(stub, namespace, text, pairs, vector)}


def test_filtered_queries_return_only_the_matching_document(stubs, cluster):
    from strata.v1 import common_pb2, coordinator_pb2, coordinator_pb2_grpc
    coordinator, _, _ = cluster
    with grpc.insecure_channel(coordinator.address) as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        stub.CreateNamespace(coordinator_pb2.CreateNamespaceRequest(name="kb", dimension=2, tokenizer="cl100k_base"), timeout=10)

        def document(doc_id, text, vector, pairs):
            chunk = common_pb2.ChunkInput(text=text, vector=vector, provenance=common_pb2.Provenance(
                document_id=doc_id, byte_start=0, byte_end=len(text.encode()), line_start=1, line_end=1))
            return common_pb2.Document(id=doc_id, chunks=[chunk],
                                       metadata=[common_pb2.KeyValue(key=k, value=v) for k, v in pairs])

        batch = coordinator_pb2.IngestRequest(namespace="kb", documents=[
            document("guide/en.md", "how to rotate the signing keys of the cluster", [1.0, 0.0],
                     [("lang", "en"), ("audience", "ops")]),
            document("guide/de.md", "how to rotate the signing keys of the cluster, in German", [0.9, 0.1],
                     [("lang", "de"), ("audience", "ops")]),
            document("bad.md", "metadata too long", [0.5, 0.5], [("k", "v" * 1025)]),
        ])
        summary = stub.Ingest(iter([batch]), timeout=30)
        assert summary.documents == 2
        assert [r.document_id for r in summary.rejected] == ["bad.md"]
        assert "metadata[0].value is 1025 bytes" in summary.rejected[0].reason

        text = "rotate the signing keys"
        assert sorted(query(stub, "kb", text, [])) == ["guide/de.md", "guide/en.md"]
        assert query(stub, "kb", text, [("lang", "en")]) == ["guide/en.md"]
        assert query(stub, "kb", text, [("lang", "de"), ("audience", "ops")]) == ["guide/de.md"]
        assert query(stub, "kb", text, [("lang", "de")], vector=[1.0, 0.0]) == ["guide/de.md"]  # hybrid
        assert query(stub, "kb", "", [("lang", "en")], vector=[0.0, 1.0]) == ["guide/en.md"]  # vector
        # Exact and case-sensitive; an unknown key is an empty answer, not an error.
        assert query(stub, "kb", text, [("lang", "EN")]) == []
        assert query(stub, "kb", text, [("owner", "nobody")]) == []

        # Each passage carries its document's metadata, sorted by key, in every mode.
        en = [("audience", "ops"), ("lang", "en")]
        de = [("audience", "ops"), ("lang", "de")]
        assert metadata(stub, "kb", text, []) == {"guide/en.md": en, "guide/de.md": de}
        assert metadata(stub, "kb", text, [("lang", "en")]) == {"guide/en.md": en}
        assert metadata(stub, "kb", text, [("lang", "de")], vector=[1.0, 0.0]) == {"guide/de.md": de}  # hybrid
        assert metadata(stub, "kb", "", [("lang", "en")], vector=[0.0, 1.0]) == {"guide/en.md": en}  # vector

        with pytest.raises(grpc.RpcError) as bad:
            query(stub, "kb", text, [("k" * 129, "v")])
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "filter.metadata_equals[0].key" in bad.value.details()


def test_cli_meta_and_where(stubs, cluster):
    coordinator, _, tmp = cluster
    address = coordinator.address
    assert strata("namespace", "create", "notes", "--tokenizer", "estimate", coordinator=address).returncode == 0
    for team in ("red", "blue"):
        folder = tmp / team
        folder.mkdir()
        (folder / f"{team}.md").write_text(f"# {team}\n\nThe {team} team owns the replication runbook.\n")
        ingested = strata("ingest", "--namespace", "notes", "--meta", f"team={team}", "--meta", "kind=runbook", str(folder),
                          coordinator=address)
        assert ingested.returncode == 0, ingested.stderr
        assert "ingested 1 documents" in ingested.stdout

    def documents(*where):
        args = [arg for pair in where for arg in ("--where", pair)]
        answer = strata("query", "--namespace", "notes", "--json", *args, "replication runbook", coordinator=address)
        assert answer.returncode == 0, answer.stderr
        return sorted(p["document"] for p in __import__("json").loads(answer.stdout)["passages"])

    assert documents() == ["blue.md", "red.md"]
    shown = strata("query", "--namespace", "notes", "--json", "--where", "team=red", "replication runbook", coordinator=address)
    assert shown.returncode == 0, shown.stderr
    assert [p["metadata"] for p in __import__("json").loads(shown.stdout)["passages"]] == [{"kind": "runbook", "team": "red"}]
    human = strata("query", "--namespace", "notes", "--where", "team=blue", "replication runbook", coordinator=address)
    assert human.returncode == 0, human.stderr
    assert "\n  metadata: kind=runbook, team=blue\n" in human.stdout
    assert documents("team=red") == ["red.md"]
    assert documents("team=blue", "kind=runbook") == ["blue.md"]
    assert documents("team=green") == []
    bad = strata("query", "--namespace", "notes", "--where", "team", "x", coordinator=address)
    assert bad.returncode == 64 and "--where \"team\" is not key=value" in bad.stderr
