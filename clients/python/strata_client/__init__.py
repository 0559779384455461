"""Python client of Strata, the distributed context store for LLM agents."""
from .client import Strata
from .errors import (AlreadyExists, DeadlineExceeded, FailedPrecondition, InvalidArgument, NotFound, OutOfRange,
                     PermissionDenied, StrataError, Unauthenticated, Unavailable)
from .types import (ClusterStatus, Context, Document, DocumentEntry, DocumentText, IngestSummary, NamespaceInfo,
                    NamespaceStatus, Passage, Provenance, SyncRecord, SyncResult)

__all__ = [
    "Strata", "StrataError", "NotFound", "InvalidArgument", "Unavailable", "DeadlineExceeded", "AlreadyExists",
    "FailedPrecondition", "OutOfRange", "PermissionDenied", "Unauthenticated", "Context", "Passage", "Provenance",
    "Document", "DocumentEntry", "DocumentText", "IngestSummary", "NamespaceInfo", "NamespaceStatus", "SyncRecord",
    "SyncResult", "ClusterStatus",
]
