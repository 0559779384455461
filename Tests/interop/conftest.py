"""Fixtures for the interop tests: Python grpcio stubs generated from Proto/ at test time, and
real strata-worker / strata-coordinator processes on free loopback ports."""
import fcntl
import json
import os
import random
import shutil
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
    _session_temporaries.append(out)
    protos = sorted(str(p.relative_to(REPO / "Proto")) for p in (REPO / "Proto").rglob("*.proto"))
    include = str(Path(grpc_tools.__file__).parent / "_proto")
    rc = protoc.main(["protoc", f"-I{REPO / 'Proto'}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", *protos])
    assert rc == 0, "protoc failed on Proto/"
    sys.path.insert(0, out)
    return out


# Every temporary directory and process the session's nodes made: removed and stopped when the
# session ends, also after a failed test that did not reach its own clean-up.
_session_temporaries = []
_session_nodes = []


@pytest.fixture(scope="session", autouse=True)
def leave_nothing_behind():
    yield
    for node in _session_nodes:
        if node.process.poll() is None:
            node.process.kill()
            node.process.wait()
    if _session_temporaries:
        remove_warm_tiers_under(*_session_temporaries)
    for directory in _session_temporaries:
        shutil.rmtree(directory, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cluster_base_port():
    """A --base-port for scripts/cluster-up.sh whose ports are free right now and lie below the
    kernel's ephemeral range, so that no outgoing connection or port-0 listener of another test
    can be given one of them between this probe and the nodes' bind (that race failed a run:
    "cannot listen on ... (address in use)"). Probes every port cluster-up uses for up to 3
    coordinators, 3 etcd members and 9 workers: P+100k+i, P+1000.., and the metrics ports P+2000+.."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        ephemeral_low = int(f.read().split()[0])
    offsets = [100 * k + i for k in range(3) for i in range(10)] + list(range(1000, 1006))
    offsets += [2000 + offset for offset in offsets if offset < 1000]
    for _ in range(100):
        base = random.randint(10000, ephemeral_low - 2400) // 10 * 10
        sockets = []
        try:
            for offset in offsets:
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise AssertionError("no free base port below the ephemeral range")


def start_cluster(run, data, *args, attempts=3):
    """scripts/cluster-up.sh --base-port P --data DATA --bin BIN_DIR ARGS on a fresh P, tried again
    on another P (after cluster-down and removing DATA) when a node could not bind its port: a
    process outside this test may take a probed port first. Returns (P, the last result)."""
    for attempt in range(attempts):
        base = cluster_base_port()
        result = run(REPO / "scripts/cluster-up.sh", *args, "--base-port", base, "--data", data, "--bin", BIN_DIR)
        output = result.stdout + result.stderr
        if result.returncode == 0 or attempt == attempts - 1 or not any(
                sign in output for sign in ("cannot listen on", "address already in use", "bind: address")):
            return base, result
        run(REPO / "scripts/cluster-down.sh", "--data", data)
        shutil.rmtree(data, ignore_errors=True)
    return base, result


class Node:
    """A running Strata executable."""

    def __init__(self, binary, args):
        self.data = tempfile.mkdtemp(prefix="strata-interop-")
        _session_temporaries.append(self.data)
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        path = BIN_DIR / binary
        assert path.exists(), f"{path} is missing: build first (swift build)"
        self.process = subprocess.Popen(
            [str(path), *args(self)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=self.data
        )
        _session_nodes.append(self)
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
    """Removes the given warm tiers (POSIX shared memory) that stopped test workers left for a
    restart that never comes. Never one a process has attached (its flock is held: a running
    worker's, perhaps another test run's), and objects already gone are fine."""
    for name in names:
        if not name.startswith("strata"):
            continue
        path = os.path.join("/dev/shm", name)
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            continue
        finally:
            os.close(descriptor)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def warm_tiers_under(*roots):
    """The warm tiers whose recorded data directory lies under one of `roots`: this test's
    workers' segments, found by their owner (strata-worker --list-warm-tiers), never those of
    other runs on the machine (which a before/after difference of /dev/shm would catch too)."""
    listing = subprocess.run([str(BIN_DIR / "strata-worker"), "--list-warm-tiers", "--json"],
                             capture_output=True, text=True, timeout=30)
    assert listing.returncode == 0, listing.stderr
    prefixes = {str(root).rstrip("/") + "/" for root in roots} | {os.path.realpath(root) + "/" for root in roots}
    return {segment["name"] for segment in json.loads(listing.stdout)
            if any(segment["data_directory"].startswith(prefix) for prefix in prefixes)}


def remove_warm_tiers_under(*roots):
    """Removes this test's warm tiers (those of data directories under `roots`) once its
    workers stopped."""
    remove_shared_memory(warm_tiers_under(*roots))


@pytest.fixture
def worker():
    node = Node("strata-worker", lambda n: ["--listen", n.address, "--data", n.data + "/w", "--coordinator", ""])
    yield node
    node.stop()
    # A stopped worker keeps its warm tier in shared memory for its next start; a test's
    # worker never starts again, so remove what it left.
    remove_warm_tiers_under(node.data)


@pytest.fixture
def coordinator():
    node = Node("strata-coordinator", lambda n: ["--listen", n.address, "--data", n.data + "/c"])
    yield node
    node.stop()
