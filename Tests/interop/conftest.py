"""Fixtures for the interop tests: Python grpcio stubs generated from Proto/ at test time, and
real strata-worker / strata-coordinator processes on free loopback ports."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("STRATA_BIN_DIR", REPO / ".build" / "debug")).resolve()


@pytest.fixture(scope="session")
def stubs():
    """Generates *_pb2.py and *_pb2_grpc.py for every .proto into a temp folder."""
    from grpc_tools import protoc
    import grpc_tools

    out = tempfile.mkdtemp(prefix="strata-stubs-")
    protos = sorted(str(p.relative_to(REPO / "Proto")) for p in (REPO / "Proto").rglob("*.proto"))
    include = str(Path(grpc_tools.__file__).parent / "_proto")
    rc = protoc.main(["protoc", f"-I{REPO / 'Proto'}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", *protos])
    assert rc == 0, "protoc failed on Proto/"
    sys.path.insert(0, out)
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """A running Strata executable."""

    def __init__(self, binary, args):
        self.data = tempfile.mkdtemp(prefix="strata-interop-")
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        path = BIN_DIR / binary
        assert path.exists(), f"{path} is missing: build first (swift build)"
        self.process = subprocess.Popen(
            [str(path), *args(self)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=self.data
        )
        deadline = time.time() + 30
        for line in self.process.stdout:
            if "serving on" in line:
                break
            assert time.time() < deadline, f"{binary} did not start"
        else:
            raise AssertionError(f"{binary} exited with {self.process.wait()}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def shared_memory_objects():
    return set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()


def remove_shared_memory(names):
    """Removes the warm tiers (POSIX shared memory) that stopped test workers left for a restart
    that never comes. Tolerates objects already gone (another test run removed its own)."""
    for name in names:
        if name.startswith("strata"):
            try:
                os.unlink(os.path.join("/dev/shm", name))
            except FileNotFoundError:
                pass


@pytest.fixture
def worker():
    before = shared_memory_objects()
    node = Node("strata-worker", lambda n: ["--listen", n.address, "--data", n.data + "/w", "--coordinator", ""])
    yield node
    node.stop()
    # A stopped worker keeps its warm tier in shared memory for its next start; a test's
    # worker never starts again, so remove what it left.
    remove_shared_memory(shared_memory_objects() - before)


@pytest.fixture
def coordinator():
    node = Node("strata-coordinator", lambda n: ["--listen", n.address, "--data", n.data + "/c"])
    yield node
    node.stop()
