"""Directory sync, as `strata sync` does it: scan and hash the tree, list the namespace's documents with their
content hashes, send what is new or changed, delete what is gone, and report progress to the coordinator."""
import os
import socket
import time
import uuid
from typing import Dict, List, Optional, Tuple

import pathspec
import xxhash

from ._generated.strata.v1 import coordinator_pb2
from .types import SyncResult

# The ingest walker's defaults (FileBatcherSettings.defaultIgnorePatterns in the Swift sources).
DEFAULT_IGNORE = [".git/", ".hg/", ".svn/", "__pycache__/", "*.pyc", ".build/", "node_modules/", ".venv/", ".DS_Store"]
BATCH_FILES = 800
BATCH_BYTES = 8 << 20


def content_hash(data: bytes) -> str:
    """The coordinator's document hash: XXH3-128 of the UTF-8 text, 32 lowercase hex digits."""
    return xxhash.xxh3_128_hexdigest(data)


def _text(data: bytes) -> Optional[str]:
    """The file's text, or None when it is not ingestible: empty, a NUL anywhere, or not UTF-8."""
    if not data or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class _Rules:
    """The ingest ignore patterns plus every .gitignore, deeper files deciding before shallower ones."""

    def __init__(self, extra: List[str]):
        self.base = pathspec.GitIgnoreSpec.from_lines(DEFAULT_IGNORE + extra)
        self.files: List[Tuple[str, pathspec.GitIgnoreSpec]] = []

    def ignored(self, relative: str, is_dir: bool, gitignores) -> bool:
        path = relative + "/" if is_dir else relative
        if self.base.match_file(path):
            return True
        for directory, spec in reversed(gitignores):
            below = path[len(directory) + 1:] if directory else path
            result = spec.check_file(below) if hasattr(spec, "check_file") else None
            if result is not None and getattr(result, "include", None) is not None:
                return bool(result.include)
            if result is None and spec.match_file(below):
                return True
        return False


def scan(root: str, extra_ignore: List[str], max_file_bytes: int):
    """(files: id -> (path, hash, size), skipped: [(path, why)])."""
    rules = _Rules(extra_ignore)
    files: Dict[str, Tuple[str, str, int]] = {}
    skipped: List[Tuple[str, str]] = []
    stack = [(root, "", [])]
    while stack:
        directory, relative, gitignores = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            skipped.append((directory, f"unreadable: {error}"))
            continue
        if any(e.name == ".gitignore" for e in entries):
            try:
                with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                    gitignores = gitignores + [(relative, pathspec.GitIgnoreSpec.from_lines(handle.read().splitlines()))]
            except OSError:
                pass
        for entry in entries:
            child = f"{relative}/{entry.name}" if relative else entry.name
            is_dir = entry.is_dir(follow_symlinks=False)
            if rules.ignored(child, is_dir, gitignores):
                continue
            if is_dir:
                stack.append((entry.path, child, gitignores))
            elif entry.is_symlink():
                skipped.append((entry.path, "symbolic link, not followed"))
            elif not entry.is_file(follow_symlinks=False):
                skipped.append((entry.path, "not a regular file"))
            elif entry.stat(follow_symlinks=False).st_size > max_file_bytes:
                skipped.append((entry.path, f"too large (limit {max_file_bytes} bytes)"))
            else:
                try:
                    with open(entry.path, "rb") as handle:
                        data = handle.read()
                except OSError as error:
                    skipped.append((entry.path, f"unreadable: {error}"))
                    continue
                if _text(data) is None:
                    skipped.append((entry.path, "binary, empty or not UTF-8"))
                    continue
                files[child] = (entry.path, content_hash(data), len(data))
    return files, skipped


def run_sync(client, root: str, namespace: str, extra_ignore: List[str], max_file_bytes: int) -> SyncResult:
    started = time.monotonic()
    if not os.path.isdir(root):
        raise FileNotFoundError(f"{root} is not a directory")
    files, skipped = scan(root, extra_ignore, max_file_bytes)
    remote = {entry.document_id: entry.content_hash for entry in client.list_documents(namespace)}
    add = sorted(i for i in files if i not in remote)
    change = sorted(i for i in files if i in remote and remote[i] != files[i][1])
    delete = sorted(i for i in remote if i not in files)
    record = coordinator_pb2.SyncRecord(
        sync_id=str(uuid.uuid4()), namespace=namespace, source=f"{socket.gethostname()}:{os.path.abspath(root)}"[:1024],
        state=coordinator_pb2.SYNC_STATE_RUNNING, files=len(files), skipped=len(skipped), to_add=len(add),
        to_change=len(change), to_delete=len(delete), unchanged=len(files) - len(add) - len(change),
        bytes_total=sum(files[i][2] for i in add + change))
    rejected: List[Tuple[str, str]] = []
    if not (add or change or delete):
        record.state = coordinator_pb2.SYNC_STATE_FINISHED
        client._record_sync(record)
        return SyncResult(0, 0, 0, record.unchanged, skipped, [], time.monotonic() - started)
    client._record_sync(record)
    try:
        pending = add + change
        for start in range(0, len(pending), BATCH_FILES):
            documents = []
            size = 0
            for document_id in pending[start:start + BATCH_FILES]:
                path = files[document_id][0]
                with open(path, "rb") as handle:
                    text = _text(handle.read())
                if text is None:  # changed into something that is not text since the scan
                    skipped.append((path, "binary, empty or not UTF-8"))
                    if document_id in remote:
                        delete.append(document_id)
                    continue
                documents.append((document_id, text))
                size += len(text.encode("utf-8"))
            summary = client.ingest(namespace, documents)
            rejected += summary.rejected
            delete += [document_id for document_id, _ in summary.rejected if document_id in remote]
            record.to_delete = len(delete)
            record.sent += len(pending[start:start + BATCH_FILES])
            record.bytes_sent = min(record.bytes_total, record.bytes_sent + size)
            client._record_sync(record)
        for start in range(0, len(delete), 1000):
            ids = delete[start:start + 1000]
            client.delete(namespace, ids)
            record.deleted += len(ids)
            client._record_sync(record)
        record.skipped = len(skipped)
        record.state = coordinator_pb2.SYNC_STATE_FINISHED
        client._record_sync(record)
    except Exception as error:
        record.state = coordinator_pb2.SYNC_STATE_FAILED
        record.error = str(error)[:1000]
        try:
            client._record_sync(record)
        except Exception:
            pass
        raise
    return SyncResult(len(add), len(change), record.to_delete, record.unchanged, skipped, rejected, time.monotonic() - started)

