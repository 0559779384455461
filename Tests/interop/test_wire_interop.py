"""Cross-language check of StrataWire's encodings: Tests/interop/wire_golden.txt holds the bytes
Swift produces (written and checked by Tests/StrataRPCTests/WireGoldenTests.swift). Here Google's
Python protobuf builds the same messages from the .proto files; each golden encoding must parse
to an equal message, and Python's own deterministic encoding must be byte-identical."""
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "wire_golden.txt"


def golden():
    entries = {}
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        name, hexbytes = line.split(" ")
        entries[name] = bytes.fromhex(hexbytes)
    return entries


def expected_messages():
    """The same values as WireGolden.messages in WireGoldenTests.swift."""
    from strata.v1 import common_pb2 as c, coordinator_pb2 as co, membership_pb2 as m, worker_pb2 as w

    provenance = c.Provenance(document_id="src/東京.swift", byte_start=5, byte_end=300, line_start=1, line_end=12)
    metadata = [c.KeyValue(key="lang", value="swift"), c.KeyValue(key="作者", value="José 🚀")]
    chunk = c.Chunk(namespace="ns", content_hash=bytes(range(1, 17)), provenance=provenance, ordinal=3,
                    text='let x = "ü"', token_count=9, vector=[0.5, -1.25, 2], metadata=metadata)
    flt = c.Filter(document_prefix="src/", metadata_equals=[c.KeyValue(key="lang", value="swift")])
    return {
        "CreateNamespaceRequest": co.CreateNamespaceRequest(name="docs", dimension=384, tokenizer="o200k_base",
                                                            metric=c.METRIC_DOT, chunk_chars=2048, chunk_overlap=64),
        "IngestRequest": co.IngestRequest(namespace="docs", documents=[
            c.Document(id="a.md", text="naïve — 東京 🚀", metadata=metadata),
            c.Document(id="b.txt", chunks=[c.ChunkInput(text="one", vector=[1, -0.5], provenance=provenance),
                                           c.ChunkInput(text="two", vector=[0.25, 4], provenance=provenance)]),
        ]),
        "QueryRequest": co.QueryRequest(namespace="docs", text="where is ü?", vector=[0.5, 0.75], mode=c.QUERY_MODE_HYBRID,
                                        top_k=20, token_budget=8000, filter=flt, order=c.CONTEXT_ORDER_SCORE,
                                        lexical_weight=0.25),
        "QueryResponse.header": co.QueryResponse(header=co.QueryHeader(mode=c.QUERY_MODE_LEXICAL, degraded=True,
                                                                       missing_slots=[3, 4095], degraded_reason="no replica")),
        "QueryResponse.passage": co.QueryResponse(passage=co.Passage(provenance=provenance, score=0.875, tokens=120,
                                                                     text="passage ü", rank=2, metadata=metadata)),
        "QueryResponse.text_fragment": co.QueryResponse(text_fragment="…more 東京"),
        "QueryResponse.summary": co.QueryResponse(summary=co.QuerySummary(passages=4, tokens=900, candidates=40,
                                                                          search_ms=1.5, assemble_ms=0.5, rendered="<ctx>")),
        "ApplyWritesRequest": w.ApplyWritesRequest(slot=17, writes=[
            w.SlotWrite(sequence=1, namespace="docs", put=w.PutDocument(document_id="a.md", metadata=metadata, chunks=[chunk])),
            w.SlotWrite(sequence=2, namespace="docs", delete_document_id="b.txt"),
            w.SlotWrite(sequence=3, namespace="docs", drop_namespace=True),
        ]),
        "SlotRecord.end_sequence": w.SlotRecord(end_sequence=77),
        "WorkerSearchRequest": w.WorkerSearchRequest(namespace="docs", slots=[1, 2], text="q", vector=[0.5],
                                                     mode=c.QUERY_MODE_VECTOR, top_k=5, filter=flt,
                                                     global_statistics=w.LexicalStatistics(chunk_count=10, total_length=200,
                                                                                           document_frequencies=[1, 0, 7]),
                                                     lexical_weight=0.5, include_text=True),
        "WorkerSearchResponse": w.WorkerSearchResponse(candidates=[w.Candidate(chunk=chunk, score=0.5, lexical_score=2.5,
                                                                               vector_score=0.25, lexical_rank=1, vector_rank=3)],
                                                       missing_slots=[9]),
        "FetchChunksRequest": w.FetchChunksRequest(namespace="docs", content_hashes=[bytes(range(1, 17)), bytes(15) + b"\x01"]),
        "HeartbeatResponse": m.HeartbeatResponse(map_version=12, directives=[
            m.SlotDirective(slot=1, action=m.SlotDirective.ACTION_SERVE),
            m.SlotDirective(slot=2, action=m.SlotDirective.ACTION_FETCH, source_address="w2:7001", from_sequence=5,
                            rate_limit_bytes_per_second=1_000_000),
        ], reregister=True),
        "ClusterStatusResponse": co.ClusterStatusResponse(
            cluster_id="c1", slot_count=4096, replication_factor=3, write_quorum=2,
            nodes=[c.NodeStatus(node_id="w1", role=c.NODE_ROLE_WORKER, address="127.0.0.1:7001", zone="z",
                                state=c.NODE_STATE_SERVING, version="0.1.0", uptime_seconds=2.5, started_at_unix=1_700_000_000,
                                slots=[c.SlotPosition(slot=3, sequence=9, chunks=2, tokens=40)],
                                notes=["hot tier emulated in host memory: no GPU"], requests_served=5)],
            slots_fully_replicated=4000, slots_under_replicated=96, slots_unavailable=0,
            transfers=[co.SlotTransfer(slot=3, source_node="w1", target_node="w2", bytes_copied=10, bytes_total=20,
                                       records_copied=1, started_at_unix=1_700_000_100)],
            map_version=8),
        "CreateNamespaceRequest(embedder)": co.CreateNamespaceRequest(name="handbook", tokenizer="cl100k_base", embedder="minilm-l6"),
        "ApplyWritesRequest(attach_vectors)": w.ApplyWritesRequest(slot=5, writes=[
            w.SlotWrite(sequence=9, namespace="docs", attach_vectors=w.AttachVectors(document_id="a.md", vectors=[
                w.ChunkVector(content_hash=bytes(range(1, 17)), vector=[0.5, -0.25])])),
        ]),
        "PendingEmbeddingsRequest": w.PendingEmbeddingsRequest(namespace="docs", slots=[1, 7], max_chunks=32),
        "PendingEmbeddingsResponse": w.PendingEmbeddingsResponse(pending_chunks=120, documents=[
            w.PendingDocument(slot=7, document_id="a.md", chunks=[w.PendingChunk(content_hash=bytes(range(1, 17)), text="naïve 東京")]),
        ]),
        "ListNamespacesResponse": co.ListNamespacesResponse(namespaces=[
            co.NamespaceInfo(name="handbook", dimension=384, tokenizer="cl100k_base", chunk_chars=1024, documents=3, chunks=40,
                             tokens=9000, created_at_unix=1_700_000_000, embedder="minilm-l6", embedding_backlog=12),
        ]),
        "ClusterStatusResponse(embeddings)": co.ClusterStatusResponse(
            cluster_id="c1", slot_count=8, replication_factor=2, write_quorum=2,
            embeddings=[co.EmbeddingStatus(namespace="handbook", embedder="minilm-l6", backlog_chunks=12, embedded_chunks=28,
                                           backend="cpu")]),
    }


def test_golden_covers_the_same_messages(stubs):
    assert sorted(golden()) == sorted(expected_messages())


@pytest.mark.parametrize("name", sorted(golden()))
def test_swift_encoding_parses_to_the_python_message(stubs, name):
    expected = expected_messages()[name]
    parsed = type(expected).FromString(golden()[name])
    assert parsed == expected
    if "." in name:
        assert parsed.WhichOneof(parsed.DESCRIPTOR.oneofs[0].name) == name.split(".")[1]


@pytest.mark.parametrize("name", sorted(golden()))
def test_python_encoding_is_byte_identical(stubs, name):
    assert expected_messages()[name].SerializeToString(deterministic=True) == golden()[name]
