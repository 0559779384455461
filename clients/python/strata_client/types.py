"""Typed results of the client (plain dataclasses built from the wire messages)."""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, Union


@dataclass(frozen=True)
class Provenance:
    """Where a passage comes from: document id, byte range [byte_start, byte_end), lines (1-based, inclusive)."""
    document_id: str
    byte_start: int
    byte_end: int
    line_start: int
    line_end: int


@dataclass(frozen=True)
class Passage:
    """One passage of assembled context."""
    provenance: Provenance
    text: str
    score: float
    tokens: int
    rank: int
    metadata: Dict[str, str]

    @property
    def document_id(self) -> str:
        return self.provenance.document_id

    @property
    def line_start(self) -> int:
        return self.provenance.line_start

    @property
    def line_end(self) -> int:
        return self.provenance.line_end


@dataclass(frozen=True)
class Context:
    """A query's answer: the passages, the rendered context (`text`, with provenance headers), its token count, and
    `degraded` (part of the cluster could not be searched; `degraded_reason` says why) and `stale` (the coordinator
    lost its control plane and answered from a cluster map older than `coordinator.stale_after_ms`; `stale_reason`)."""
    passages: List[Passage]
    text: str
    tokens: int
    candidates: int
    mode: str
    degraded: bool
    degraded_reason: str
    missing_slots: List[int]
    stale: bool = False
    stale_reason: str = ""


@dataclass
class Document:
    """A document to ingest: an id (relative path or stable name), its text, and metadata."""
    id: str
    text: str
    metadata: Dict[str, str] = field(default_factory=dict)


DocumentLike = Union[Document, Tuple[str, str], Dict[str, object]]


@dataclass(frozen=True)
class IngestSummary:
    documents: int
    chunks: int
    tokens: int
    duplicate_chunks: int
    rejected: List[Tuple[str, str]]
    seconds: float


@dataclass(frozen=True)
class NamespaceInfo:
    name: str
    dimension: int
    tokenizer: str
    documents: int
    chunks: int
    tokens: int
    created_at_unix: int


@dataclass(frozen=True)
class DocumentEntry:
    """A stored document: id, content hash (XXH3-128 hex; empty when unknown), chunks and tokens."""
    document_id: str
    content_hash: str
    chunks: int
    tokens: int


@dataclass(frozen=True)
class DocumentText:
    document_id: str
    text: str
    line_start: int
    line_end: int
    total_lines: int
    truncated: bool
    metadata: Dict[str, str]
    content_hash: str


@dataclass(frozen=True)
class SyncRecord:
    sync_id: str
    source: str
    state: str
    started_at_unix_ms: int
    updated_at_unix_ms: int
    finished_at_unix_ms: int
    files: int
    skipped: int
    to_add: int
    to_change: int
    to_delete: int
    unchanged: int
    sent: int
    deleted: int
    error: str


@dataclass(frozen=True)
class NamespaceStatus:
    info: NamespaceInfo
    unsettled_documents: int
    last_sync: Optional[SyncRecord]
    running_sync: Optional[SyncRecord]


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: documents added, changed, deleted, left unchanged; files skipped (path, why)."""
    added: int
    changed: int
    deleted: int
    unchanged: int
    skipped: List[Tuple[str, str]]
    rejected: List[Tuple[str, str]]
    seconds: float


@dataclass(frozen=True)
class ClusterStatus:
    cluster_id: str
    slot_count: int
    slots_fully_replicated: int
    slots_under_replicated: int
    slots_unavailable: int
    nodes: List[Dict[str, str]]
