"""`Strata`: a typed client of a Strata cluster's coordinator over gRPC."""
import time
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Union

import grpc

from . import errors
from ._generated.strata.v1 import common_pb2, coordinator_pb2, coordinator_pb2_grpc
from .types import (ClusterStatus, Context, Document, DocumentEntry, DocumentLike, DocumentText, IngestSummary,
                    NamespaceInfo, NamespaceStatus, Passage, Provenance, SyncRecord, SyncResult)

_MODES = {"auto": common_pb2.QUERY_MODE_AUTO, "lexical": common_pb2.QUERY_MODE_LEXICAL,
          "vector": common_pb2.QUERY_MODE_VECTOR, "hybrid": common_pb2.QUERY_MODE_HYBRID}
_SYNC_STATES = {0: "unknown", 1: "running", 2: "finished", 3: "failed", 4: "abandoned"}
_MESSAGE_LIMIT = 64 << 20


class Strata:
    """A connection to a Strata coordinator.

    `addresses`: "host:port" or a list of them (coordinators to try in order; the first that answers is used).
    `token`: sent as `authorization: Bearer TOKEN` on every call. `ca`: PEM root certificates (bytes, or a path)
    for TLS; without it the channel is plaintext. `timeout`: seconds each call may take (ingest streams have none).
    Use it as a context manager, or call `close()`.
    """

    def __init__(self, addresses: Union[str, Sequence[str]], token: Optional[str] = None,
                 ca: Optional[Union[bytes, str]] = None, timeout: float = 30.0):
        self.addresses = [addresses] if isinstance(addresses, str) else list(addresses)
        if not self.addresses:
            raise ValueError("give at least one coordinator address")
        self.timeout = timeout
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        if isinstance(ca, str):
            with open(ca, "rb") as handle:
                ca = handle.read()
        self._credentials = grpc.ssl_channel_credentials(root_certificates=ca) if ca is not None else None
        self._channel: Optional[grpc.Channel] = None
        self._stub = None
        self.address = ""
        self._down: Dict[str, float] = {}  # address -> when a call to it last failed

    # -- lifecycle

    def __enter__(self) -> "Strata":
        self._connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
            self._stub = None

    def _open(self, address: str) -> grpc.Channel:
        options = [("grpc.max_receive_message_length", _MESSAGE_LIMIT), ("grpc.max_send_message_length", _MESSAGE_LIMIT)]
        if self._credentials is not None:
            return grpc.secure_channel(address, self._credentials, options=options)
        return grpc.insecure_channel(address, options=options)

    def _connect(self):
        if self._stub is not None:
            return self._stub
        last: Optional[Exception] = None
        # Addresses that failed in the last 2 s are tried last (a channel to a dead one waits out the timeout).
        now = time.monotonic()
        for address in sorted(self.addresses, key=lambda a: now - self._down.get(a, -10.0) <= 2.0):
            channel = self._open(address)
            if len(self.addresses) > 1:
                try:
                    grpc.channel_ready_future(channel).result(timeout=min(self.timeout, 1.0))
                except grpc.FutureTimeoutError as error:
                    channel.close()
                    last = error
                    continue
            self._channel, self.address = channel, address
            self._stub = coordinator_pb2_grpc.CoordinatorStub(channel)
            return self._stub
        raise errors.Unavailable(grpc.StatusCode.UNAVAILABLE, f"no coordinator answered at {', '.join(self.addresses)}: {last}")

    def _call(self, method: str, request, timeout: Optional[float] = None):
        # Coordinators sharing etcd: a follower refuses writes UNAVAILABLE naming the leader in
        # its strata-leader trailer, a stopped coordinator is UNAVAILABLE too; either way the
        # call is made again at the leader named, or at the next address (each at most twice).
        for attempt in range(2 * len(self.addresses)):
            stub = self._connect()
            try:
                return getattr(stub, method)(request, timeout=timeout or self.timeout, metadata=self._metadata)
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or attempt + 1 >= 2 * len(self.addresses):
                    raise errors.from_rpc(error, method) from None
                self._fail_over(error)

    def _fail_over(self, error: grpc.RpcError) -> None:
        """After an UNAVAILABLE `error`: moves to the leader its strata-leader trailer names (unless that one failed in
        the last 2 s: a follower names a dead leader until its lease expires), or else puts the current address last.
        A status a Strata server sent carries the strata-answered trailer; one without it means the coordinator was
        not reached (gRPC made the status on this side)."""
        trailers = dict(error.trailing_metadata() or ())
        leader = trailers.get("strata-leader") or None
        unreachable = "strata-answered" not in trailers
        current = self.address
        self.close()
        now = time.monotonic()
        if not leader and not unreachable:
            # The coordinator answered (e.g. a slot not writable yet while a new leader settles): ask it again.
            time.sleep(0.1)
            return
        if not leader:
            self._down[current] = now
        if leader and leader != current and now - self._down.get(leader, -10.0) > 2.0:
            self.addresses = [leader] + [a for a in self.addresses if a != leader]
        elif current in self.addresses and len(self.addresses) > 1:
            self.addresses = [a for a in self.addresses if a != current] + [current]
            time.sleep(0.1)

    # -- namespaces

    def create_namespace(self, name: str, tokenizer: str = "cl100k_base", dimension: int = 0,
                         chunk_chars: int = 0, chunk_overlap: int = 0) -> NamespaceInfo:
        """Creates a namespace (idempotent with the same settings; AlreadyExists with others)."""
        return _namespace(self._call("CreateNamespace", coordinator_pb2.CreateNamespaceRequest(
            name=name, tokenizer=tokenizer, dimension=dimension, chunk_chars=chunk_chars, chunk_overlap=chunk_overlap)))

    def list_namespaces(self) -> List[NamespaceInfo]:
        return [_namespace(n) for n in self._call("ListNamespaces", coordinator_pb2.ListNamespacesRequest()).namespaces]

    def drop_namespace(self, name: str) -> int:
        """Drops a namespace and its data; returns how many documents it held."""
        return self._call("DropNamespace", coordinator_pb2.DropNamespaceRequest(name=name)).documents

    def namespace_status(self, namespace: str) -> NamespaceStatus:
        """Size, unsettled documents, the last sync and any sync in progress."""
        status = self._call("GetNamespaceStatus", coordinator_pb2.NamespaceStatusRequest(namespace=namespace))
        return NamespaceStatus(info=_namespace(status.info), unsettled_documents=status.unsettled_documents,
                               last_sync=_sync(status.last_sync) if status.HasField("last_sync") else None,
                               running_sync=_sync(status.running_sync) if status.HasField("running_sync") else None)

    def cluster_status(self) -> ClusterStatus:
        status = self._call("GetClusterStatus", coordinator_pb2.ClusterStatusRequest())
        return ClusterStatus(cluster_id=status.cluster_id, slot_count=status.slot_count,
                             slots_fully_replicated=status.slots_fully_replicated,
                             slots_under_replicated=status.slots_under_replicated, slots_unavailable=status.slots_unavailable,
                             nodes=[{"node_id": n.node_id, "address": n.address, "state": common_pb2.NodeState.Name(n.state)}
                                    for n in status.nodes])

    # -- documents

    def ingest(self, namespace: str, documents: Iterable[DocumentLike], batch_documents: int = 800,
               batch_bytes: int = 8 << 20) -> IngestSummary:
        """Upserts documents over one stream, in batches of at most `batch_documents` documents and `batch_bytes`
        bytes of text. `documents` may be a generator: batches are built as gRPC's flow control asks for the next
        one, so memory stays bounded however many documents come (back-pressure)."""
        def batches() -> Iterator[coordinator_pb2.IngestRequest]:
            # The first message names the namespace, so an unknown namespace fails even with nothing to send.
            yield coordinator_pb2.IngestRequest(namespace=namespace)
            batch: List[common_pb2.Document] = []
            size = 0
            for item in documents:
                document = _document(item)
                if batch and (len(batch) >= batch_documents or size + len(document.text) > batch_bytes):
                    yield coordinator_pb2.IngestRequest(namespace=namespace, documents=batch)
                    batch, size = [], 0
                batch.append(document)
                size += len(document.text)
            if batch:
                yield coordinator_pb2.IngestRequest(namespace=namespace, documents=batch)

        stub = self._connect()
        try:
            summary = stub.Ingest(batches(), metadata=self._metadata)
        except grpc.RpcError as error:
            # The documents may be a generator already consumed: the caller sends them again,
            # and the next call goes to the leader named or the next coordinator.
            if error.code() == grpc.StatusCode.UNAVAILABLE:
                self._fail_over(error)
            raise errors.from_rpc(error, "Ingest") from None
        return IngestSummary(documents=summary.documents, chunks=summary.chunks, tokens=summary.tokens,
                             duplicate_chunks=summary.duplicate_chunks,
                             rejected=[(r.document_id, r.reason) for r in summary.rejected], seconds=summary.seconds)

    def delete(self, namespace: str, document_ids: Sequence[str]) -> int:
        """Deletes documents by id; returns how many existed."""
        return self._call("DeleteDocuments", coordinator_pb2.DeleteDocumentsRequest(
            namespace=namespace, document_ids=list(document_ids))).deleted

    def list_documents(self, namespace: str, prefix: str = "", page_size: int = 10000) -> Iterator[DocumentEntry]:
        """Every document of the namespace (ids starting with `prefix`) with its content hash, page by page."""
        token = ""
        while True:
            page = self._call("ListDocuments", coordinator_pb2.ListDocumentsRequest(
                namespace=namespace, prefix=prefix, page_size=page_size, page_token=token))
            for entry in page.documents:
                yield DocumentEntry(entry.document_id, entry.content_hash, entry.chunks, entry.tokens)
            token = page.next_page_token
            if not token:
                return

    def read_document(self, namespace: str, document_id: str, line_start: int = 0, line_end: int = 0) -> DocumentText:
        """A stored document's text, or lines line_start..line_end (1-based, inclusive; 0 = from the start / to the end)."""
        read = self._call("ReadDocument", coordinator_pb2.ReadDocumentRequest(
            namespace=namespace, document_id=document_id, line_start=line_start, line_end=line_end))
        return DocumentText(document_id=read.document_id, text=read.text, line_start=read.line_start,
                            line_end=read.line_end, total_lines=read.total_lines, truncated=read.truncated,
                            metadata={kv.key: kv.value for kv in read.metadata}, content_hash=read.content_hash)

    # -- queries

    def query(self, namespace: str, text: str, token_budget: int = 0, top_k: int = 0, mode: str = "auto",
              path_prefix: str = "", where: Optional[Dict[str, str]] = None, order: str = "document",
              vector: Optional[Sequence[float]] = None, timeout: Optional[float] = None, _retried: bool = False) -> Context:
        """The best context for `text` under `token_budget` tokens (0: the server default)."""
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(_MODES)}")
        if order not in ("document", "score"):
            raise ValueError("order must be 'document' or 'score'")
        request = coordinator_pb2.QueryRequest(
            namespace=namespace, text=text, vector=list(vector or []), mode=_MODES[mode], top_k=top_k,
            token_budget=token_budget, order=common_pb2.CONTEXT_ORDER_SCORE if order == "score" else common_pb2.CONTEXT_ORDER_DOCUMENT,
            filter=common_pb2.Filter(document_prefix=path_prefix,
                                     metadata_equals=[common_pb2.KeyValue(key=k, value=v) for k, v in sorted((where or {}).items())]))
        stub = self._connect()
        header = None
        summary = None
        raw: List[list] = []
        try:
            for item in stub.Query(request, timeout=timeout or self.timeout, metadata=self._metadata):
                kind = item.WhichOneof("item")
                if kind == "header":
                    header = item.header
                elif kind == "passage":
                    raw.append([item.passage, item.passage.text])
                elif kind == "text_fragment" and raw:
                    raw[-1][1] += item.text_fragment
                elif kind == "summary":
                    summary = item.summary
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.UNAVAILABLE and not raw and header is None:
                self._fail_over(error)
                if not _retried:
                    return self.query(namespace, text, token_budget, top_k, mode, path_prefix, where, order, vector, timeout,
                                      _retried=True)
            raise errors.from_rpc(error, "Query") from None
        passages = [Passage(provenance=Provenance(p.provenance.document_id, p.provenance.byte_start, p.provenance.byte_end,
                                                  p.provenance.line_start, p.provenance.line_end),
                            text=full, score=p.score, tokens=p.tokens, rank=p.rank,
                            metadata={kv.key: kv.value for kv in p.metadata}) for p, full in raw]
        rendered = summary.rendered if summary is not None and summary.rendered else "\n".join(
            f"### {p.document_id}:{p.line_start}-{p.line_end}\n{p.text}" for p in passages)
        return Context(passages=passages, text=rendered, tokens=summary.tokens if summary else 0,
                       candidates=summary.candidates if summary else 0,
                       mode=common_pb2.QueryMode.Name(header.mode).replace("QUERY_MODE_", "").lower() if header else "auto",
                       degraded=bool(header and header.degraded), degraded_reason=header.degraded_reason if header else "",
                       missing_slots=list(header.missing_slots) if header else [],
                       stale=bool(header and header.stale), stale_reason=header.stale_reason if header else "")

    # -- sync

    def sync(self, path: str, namespace: str, ignore: Sequence[str] = (), max_file_bytes: int = 8 << 20) -> SyncResult:
        """Makes `namespace` mirror the directory `path`: sends new and changed files (compared by content hash with
        the documents the coordinator holds), deletes documents whose files are gone, honours .gitignore and the
        ingest ignore rules, and reports its progress to the coordinator. Safe to interrupt: rerun it."""
        from .sync import run_sync
        return run_sync(self, path, namespace, list(ignore), max_file_bytes)

    def _record_sync(self, record: coordinator_pb2.SyncRecord) -> coordinator_pb2.SyncRecord:
        return self._call("RecordSync", coordinator_pb2.RecordSyncRequest(sync=record))


def _namespace(info) -> NamespaceInfo:
    return NamespaceInfo(name=info.name, dimension=info.dimension, tokenizer=info.tokenizer or "cl100k_base",
                         documents=info.documents, chunks=info.chunks, tokens=info.tokens, created_at_unix=info.created_at_unix)


def _sync(record) -> SyncRecord:
    return SyncRecord(sync_id=record.sync_id, source=record.source, state=_SYNC_STATES.get(record.state, "unknown"),
                      started_at_unix_ms=record.started_at_unix_ms, updated_at_unix_ms=record.updated_at_unix_ms,
                      finished_at_unix_ms=record.finished_at_unix_ms, files=record.files, skipped=record.skipped,
                      to_add=record.to_add, to_change=record.to_change, to_delete=record.to_delete,
                      unchanged=record.unchanged, sent=record.sent, deleted=record.deleted, error=record.error)


def _document(item: DocumentLike) -> common_pb2.Document:
    if isinstance(item, Document):
        document_id, text, metadata = item.id, item.text, item.metadata
    elif isinstance(item, tuple):
        document_id, text = item
        metadata = {}
    elif isinstance(item, dict):
        document_id, text, metadata = item["id"], item["text"], item.get("metadata") or {}
    else:
        raise TypeError(f"a document is a Document, an (id, text) tuple or a dict with id and text, not {type(item).__name__}")
    return common_pb2.Document(id=str(document_id), text=str(text),
                               metadata=[common_pb2.KeyValue(key=k, value=v) for k, v in sorted(dict(metadata).items())])

