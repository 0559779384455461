"""A foreign gRPC client (Python grpcio) against the Strata executables: health Check and
Watch, the status RPCs, bad input, and a clean stop on SIGTERM."""
import os
import socket

import grpc
import pytest

from conftest import Node, shared_memory_objects, remove_shared_memory


def health_stub(channel):
    from grpc.health.v1 import health_pb2_grpc

    return health_pb2_grpc.HealthStub(channel)


def health_request(service=""):
    from grpc.health.v1 import health_pb2

    return health_pb2.HealthCheckRequest(service=service)


def serving():
    from grpc.health.v1 import health_pb2

    return health_pb2.HealthCheckResponse.SERVING


@pytest.mark.parametrize("node_fixture,service", [("worker", "strata.v1.Worker"), ("coordinator", "strata.v1.Coordinator")])
def test_health_check_and_watch(stubs, request, node_fixture, service):
    node = request.getfixturevalue(node_fixture)
    with grpc.insecure_channel(node.address) as channel:
        health = health_stub(channel)
        assert health.Check(health_request(), timeout=5).status == serving()
        assert health.Check(health_request(service), timeout=5).status == serving()
        with pytest.raises(grpc.RpcError) as info:
            health.Check(health_request("no.such.Service"), timeout=5)
        assert info.value.code() == grpc.StatusCode.NOT_FOUND
        watch = health.Watch(health_request(service), timeout=5)
        assert next(watch).status == serving()
        watch.cancel()
        # Still serving after the client walked away from its stream.
        assert health.Check(health_request(), timeout=5).status == serving()


def test_worker_status(stubs, worker):
    from strata.v1 import worker_pb2, worker_pb2_grpc, common_pb2

    with grpc.insecure_channel(worker.address) as channel:
        status = worker_pb2_grpc.WorkerStub(channel).Status(worker_pb2.WorkerStatusRequest(), timeout=5)
    assert status.role == common_pb2.NODE_ROLE_WORKER
    assert status.state == common_pb2.NODE_STATE_SERVING
    assert status.address == worker.address
    assert status.node_id.startswith("worker-")
    assert status.version
    assert any("host memory" in note for note in status.notes)


def test_worker_advertises_a_dialable_address(stubs):
    """A wildcard listen address is not dialable: the worker reports its host name instead,
    and an explicit --advertise wins over both."""
    from strata.v1 import worker_pb2, worker_pb2_grpc

    def reported(extra):
        before = shared_memory_objects()
        node = Node("strata-worker", lambda n: ["--listen", f"0.0.0.0:{n.port}", "--data", n.data + "/w", "--coordinator", "", *extra])
        try:
            with grpc.insecure_channel(node.address) as channel:
                return node.port, worker_pb2_grpc.WorkerStub(channel).Status(worker_pb2.WorkerStatusRequest(), timeout=5).address
        finally:
            node.stop()
            remove_shared_memory(shared_memory_objects() - before)

    port, address = reported([])
    assert address == f"{socket.gethostname()}:{port}"
    _, address = reported(["--advertise", "worker-7.example:7401"])
    assert address == "worker-7.example:7401"


def test_coordinator_status(stubs, coordinator):
    from strata.v1 import coordinator_pb2, coordinator_pb2_grpc, common_pb2

    with grpc.insecure_channel(coordinator.address) as channel:
        stub = coordinator_pb2_grpc.CoordinatorStub(channel)
        status = stub.GetNodeStatus(coordinator_pb2.NodeStatusRequest(), timeout=5)
        assert status.role == common_pb2.NODE_ROLE_COORDINATOR
        assert status.state == common_pb2.NODE_STATE_SERVING
        with pytest.raises(grpc.RpcError) as info:
            stub.GetNodeStatus(coordinator_pb2.NodeStatusRequest(node_id="worker-nobody"), timeout=5)
        assert info.value.code() == grpc.StatusCode.NOT_FOUND


def test_bad_input_gets_clear_status_and_node_keeps_serving(stubs, worker):
    with grpc.insecure_channel(worker.address) as channel:
        raw = channel.unary_unary("/strata.v1.Worker/Status", request_serializer=None, response_deserializer=None)
        with pytest.raises(grpc.RpcError) as info:
            raw(b"\x0a\x64AB", timeout=5)  # a length prefix of 100 with 2 bytes behind it
        # WorkerStatusRequest has no fields, so unknown field 1 is skipped -- but the length
        # runs past the end, which is malformed.
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        unknown = channel.unary_unary("/strata.v1.Worker/NoSuchMethod", request_serializer=None, response_deserializer=None)
        with pytest.raises(grpc.RpcError) as info:
            unknown(b"", timeout=5)
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
        huge = channel.unary_unary("/strata.v1.Worker/Status", request_serializer=None, response_deserializer=None)
        with pytest.raises(grpc.RpcError) as info:
            huge(b"\x00" * (17 << 20), timeout=10)  # over the default 16 MiB limit
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert health_stub(channel).Check(health_request(), timeout=5).status == serving()


def test_sigterm_stops_cleanly(stubs, worker, coordinator):
    assert worker.stop() == 0
    assert coordinator.stop() == 0
