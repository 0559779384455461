"""A secure cluster from the outside (docs/security.md): a real coordinator and worker with TLS,
mutual TLS between nodes, client tokens and a token-protected /metrics, driven with Python grpcio
and the strata CLI. Certificates come from scripts/make-certs.sh (openssl).

Covered: grpcio over TLS with bearer tokens and the per-scope matrix of allowed and refused calls;
a plaintext client refused by the TLS node; rogue workers (no certificate, another CA, a
certificate that names no node) refused, counted in /metrics and never placed; forged worker
calls (ApplyWrites, StreamSlot, Search) from a client, with or without a token, refused; token
revocation without a restart; the cluster join secret on a cluster without TLS."""
import os
import signal
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import grpc
import pytest

from conftest import BIN_DIR, REPO, free_port
from test_metrics import LoggedNode, eventually, matching, samples

SLOTS = 16
MAKE_CERTS = str(REPO / "scripts" / "make-certs.sh")


def make_certs(*args):
    subprocess.run([MAKE_CERTS, *map(str, args)], check=True, capture_output=True, timeout=60)


class SecureCluster:
    """One coordinator (TLS, client certificates optional, tokens on, /metrics needs a token) and
    one worker (TLS with its node certificate), plus the certificates of a few intruders."""

    def __init__(self, root):
        self.root = Path(root)
        pki = self.root / "pki"
        make_certs("ca", pki)
        make_certs("node", pki, "strata-coordinator", pki / "coordinator")
        make_certs("node", pki, "strata-worker", pki / "worker")
        make_certs("node", pki, "intruder", pki / "intruder")  # signed by the cluster CA, names no node
        make_certs("ca", self.root / "rogue-pki", "rogue-ca")
        make_certs("node", self.root / "rogue-pki", "strata-worker", self.root / "rogue-pki" / "worker")
        self.pki = pki
        self.ca = (pki / "ca.pem").read_bytes()
        self.metrics_port = free_port()
        self.admin_file = self.root / "admin.token"
        self.nodes = []
        common = ["--set", f"coordinator.slots={SLOTS}", "--set", "coordinator.replicas=1",
                  "--set", "coordinator.heartbeat_interval_ms=100"]
        self.coordinator = self.start("coordinator", "strata-coordinator", [
            *self.tls_args("coordinator"), *common, "--set", "auth.enabled=true",
            "--set", f"auth.bootstrap_token_file={self.admin_file}",
            "--set", f"coordinator.metrics_port={self.metrics_port}", "--set", "metrics.require_token=true"])
        self.admin = self.admin_file.read_text().strip()
        self.worker = self.start("worker", "strata-worker", [
            "--coordinator", self.coordinator.address, *self.tls_args("worker"), *common, "--set", "worker.metrics_port=0"])

    def tls_args(self, name, pki=None):
        pki = pki or self.pki
        return ["--set", f"tls.cert_file={pki / name}.pem", "--set", f"tls.key_file={pki / name}.key",
                "--set", f"tls.ca_file={self.pki / 'ca.pem'}"]

    def start(self, name, binary, args):
        node = LoggedNode(self.root, name, binary, args)
        self.nodes.append(node)
        return node

    def channel(self, address=None, cert=None):
        """A grpcio TLS channel trusting the cluster CA, presenting `cert` (a name under pki/) if given."""
        key = chain = None
        if cert:
            directory = self.root / "rogue-pki" if cert.startswith("rogue-") else self.pki
            base = directory / cert.removeprefix("rogue-")
            key, chain = Path(f"{base}.key").read_bytes(), Path(f"{base}.pem").read_bytes()
        credentials = grpc.ssl_channel_credentials(root_certificates=self.ca, private_key=key, certificate_chain=chain)
        return grpc.secure_channel(address or self.coordinator.address, credentials)

    def workers(self):
        from strata.v1 import coordinator_pb2, coordinator_pb2_grpc
        stub = coordinator_pb2_grpc.CoordinatorStub(self.channel())
        status = stub.GetClusterStatus(coordinator_pb2.ClusterStatusRequest(), metadata=bearer(self.admin), timeout=10)
        from strata.v1 import common_pb2
        return [node for node in status.nodes if node.role == common_pb2.NODE_ROLE_WORKER]

    def scrape(self, token=None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.metrics_port}/metrics")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return samples(response.read().decode())[0]

    def stop(self):
        for node in reversed(self.nodes):
            node.stop()


def bearer(token):
    return [("authorization", f"Bearer {token}")] if token else []


def code_of(call):
    try:
        result = call()
        if hasattr(result, "__iter__") and not hasattr(result, "SerializeToString"):
            list(result)
    except grpc.RpcError as error:
        return error.code(), error.details()
    return grpc.StatusCode.OK, ""


@pytest.fixture(scope="module")
def cluster(stubs):
    root = tempfile.mkdtemp(prefix="strata-security-")
    cluster = None
    try:
        cluster = SecureCluster(root)
        eventually(lambda: assert_workers(cluster, 1))
        yield cluster
    finally:
        if cluster:
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def assert_workers(cluster, count):
    assert len(cluster.workers()) == count


@pytest.fixture(scope="module")
def tokens(cluster):
    """Namespaces docs and other, each with one document, and a token per role."""
    from strata.v1 import common_pb2, coordinator_pb2, coordinator_pb2_grpc, tokens_pb2, tokens_pb2_grpc
    channel = cluster.channel()
    admin = bearer(cluster.admin)
    stub = coordinator_pb2_grpc.CoordinatorStub(channel)
    for name in ("docs", "other"):
        stub.CreateNamespace(coordinator_pb2.CreateNamespaceRequest(name=name, tokenizer="estimate"), metadata=admin, timeout=10)
        document = common_pb2.Document(id=f"{name}/secret.txt", text=f"the vault code of {name} is plumbago {name}")
        stub.Ingest(iter([coordinator_pb2.IngestRequest(namespace=name, documents=[document])]), metadata=admin, timeout=30)
    manage = tokens_pb2_grpc.TokensStub(channel)
    made = {}
    for name, scopes in {"reader": ["read:docs"], "writer": ["write:docs"], "scraper": ["metrics"], "all-readers": ["read:*"]}.items():
        made[name] = manage.CreateToken(tokens_pb2.CreateTokenRequest(name=name, scopes=scopes), metadata=admin, timeout=10).secret
    made["admin"] = cluster.admin
    return made


def query(stub, namespace, token, mode=None):
    from strata.v1 import common_pb2, coordinator_pb2
    request = coordinator_pb2.QueryRequest(namespace=namespace, text="vault code plumbago", top_k=5, token_budget=500,
                                           mode=mode or common_pb2.QUERY_MODE_LEXICAL)
    return [item.passage for item in stub.Query(request, metadata=bearer(token), timeout=30) if item.HasField("passage")]


def test_grpcio_over_tls_with_tokens_and_the_scope_matrix(cluster, tokens):
    from grpc.health.v1 import health_pb2, health_pb2_grpc
    from strata.v1 import common_pb2, coordinator_pb2, coordinator_pb2_grpc
    stub = coordinator_pb2_grpc.CoordinatorStub(cluster.channel())
    # Health stays open (probes carry no token).
    health = health_pb2_grpc.HealthStub(cluster.channel()).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert health.status == health_pb2.HealthCheckResponse.SERVING

    passages = query(stub, "docs", tokens["reader"])
    assert passages and all(p.provenance.document_id.startswith("docs/") for p in passages)
    assert query(stub, "other", tokens["all-readers"])

    denied = grpc.StatusCode.PERMISSION_DENIED
    unauthenticated = grpc.StatusCode.UNAUTHENTICATED
    # No token, a malformed one, an unknown one: UNAUTHENTICATED, whatever the call.
    for token in (None, "not-a-token", "strata_" + "0" * 64):
        code, _ = code_of(lambda: query(stub, "docs", token))
        assert code == unauthenticated, token
    # A token never reaches a namespace it has no scope for, in any mode or call.
    for mode in (common_pb2.QUERY_MODE_LEXICAL, common_pb2.QUERY_MODE_VECTOR, common_pb2.QUERY_MODE_HYBRID):
        code, details = code_of(lambda: query(stub, "other", tokens["reader"], mode))
        assert code == denied and "read:other" in details, (mode, details)
    matrix = [
        # (call, token, expected)
        (lambda t: stub.ReadDocument(coordinator_pb2.ReadDocumentRequest(namespace="other", document_id="other/secret.txt"), metadata=bearer(t), timeout=10), "reader", denied),
        (lambda t: stub.ReadDocument(coordinator_pb2.ReadDocumentRequest(namespace="docs", document_id="docs/secret.txt"), metadata=bearer(t), timeout=10), "reader", grpc.StatusCode.OK),
        (lambda t: stub.ListDocuments(coordinator_pb2.ListDocumentsRequest(namespace="other"), metadata=bearer(t), timeout=10), "reader", denied),
        (lambda t: stub.GetNamespaceStatus(coordinator_pb2.NamespaceStatusRequest(namespace="other"), metadata=bearer(t), timeout=10), "writer", denied),
        (lambda t: stub.DeleteDocuments(coordinator_pb2.DeleteDocumentsRequest(namespace="docs", document_ids=["docs/secret.txt"]), metadata=bearer(t), timeout=10), "reader", denied),
        (lambda t: stub.DeleteDocuments(coordinator_pb2.DeleteDocumentsRequest(namespace="other", document_ids=["other/secret.txt"]), metadata=bearer(t), timeout=10), "writer", denied),
        (lambda t: stub.DropNamespace(coordinator_pb2.DropNamespaceRequest(name="other"), metadata=bearer(t), timeout=10), "writer", denied),
        (lambda t: stub.DropNamespace(coordinator_pb2.DropNamespaceRequest(name="docs"), metadata=bearer(t), timeout=10), "all-readers", denied),
        (lambda t: stub.CreateNamespace(coordinator_pb2.CreateNamespaceRequest(name="mine", tokenizer="estimate"), metadata=bearer(t), timeout=10), "writer", denied),
        (lambda t: stub.Ingest(iter([coordinator_pb2.IngestRequest(namespace="other", documents=[common_pb2.Document(id="x", text="forged")])]), metadata=bearer(t), timeout=10), "writer", denied),
        (lambda t: stub.Ingest(iter([coordinator_pb2.IngestRequest(namespace="docs", documents=[common_pb2.Document(id="docs/x", text="forged")])]), metadata=bearer(t), timeout=10), "reader", denied),
        (lambda t: stub.RecordSync(coordinator_pb2.RecordSyncRequest(sync=coordinator_pb2.SyncRecord(namespace="docs", sync_id="s1")), metadata=bearer(t), timeout=10), "reader", denied),
        (lambda t: stub.GetClusterStatus(coordinator_pb2.ClusterStatusRequest(), metadata=bearer(t), timeout=10), "scraper", grpc.StatusCode.OK),
    ]
    for index, (call, token, expected) in enumerate(matrix):
        code, details = code_of(lambda: call(tokens[token]))
        assert code == expected, (index, token, code, details)
        if expected == denied:
            assert "needs scope" in details and tokens[token] not in details, details
    # ListNamespaces shows only what the token may read.
    listed = stub.ListNamespaces(coordinator_pb2.ListNamespacesRequest(), metadata=bearer(tokens["reader"]), timeout=10)
    assert [n.name for n in listed.namespaces] == ["docs"]
    # Nothing refused changed anything: both documents are still there.
    assert query(stub, "other", tokens["admin"]) and query(stub, "docs", tokens["admin"])


def test_plaintext_client_is_refused_by_a_tls_node(cluster):
    from grpc.health.v1 import health_pb2, health_pb2_grpc
    for address in (cluster.coordinator.address, cluster.worker.address):
        plain = health_pb2_grpc.HealthStub(grpc.insecure_channel(address))
        code, _ = code_of(lambda: plain.Check(health_pb2.HealthCheckRequest(), timeout=5))
        assert code == grpc.StatusCode.UNAVAILABLE, address


def register(channel, node_id):
    from strata.v1 import membership_pb2, membership_pb2_grpc
    stub = membership_pb2_grpc.MembershipStub(channel)
    return code_of(lambda: stub.RegisterWorker(membership_pb2.RegisterRequest(
        node_id=node_id, address="127.0.0.1:1", capacity=membership_pb2.Capacity(weight=1.0)), timeout=10))


def test_rogue_workers_are_refused_counted_and_never_placed(cluster, tokens):
    before = cluster.scrape(tokens["scraper"])
    # No client certificate (TLS to the coordinator, valid protocol): UNAUTHENTICATED.
    code, details = register(cluster.channel(), "rogue-1")
    assert code == grpc.StatusCode.UNAUTHENTICATED and "certificate" in details
    # A certificate from the cluster CA that names no node: PERMISSION_DENIED.
    code, details = register(cluster.channel(cert="intruder"), "rogue-2")
    assert code == grpc.StatusCode.PERMISSION_DENIED, details
    # A worker certificate from another CA: the handshake fails.
    code, _ = register(cluster.channel(cert="rogue-worker"), "rogue-3")
    assert code == grpc.StatusCode.UNAVAILABLE
    # A real strata-worker process without TLS, and one with another CA's certificate.
    for name, args in (("rogue-plain", []), ("rogue-ca", cluster.tls_args("worker", pki=cluster.root / "rogue-pki"))):
        rogue = cluster.start(name, "strata-worker", ["--coordinator", cluster.coordinator.address, "--set", "worker.metrics_port=0",
                                                      "--set", "coordinator.heartbeat_interval_ms=100", *args])
        time.sleep(1.5)
        assert rogue.process.poll() is None
    # Nobody of them was placed: the one real worker holds every slot.
    workers = cluster.workers()
    assert len(workers) == 1 and workers[0].address == cluster.worker.address
    after = cluster.scrape(tokens["scraper"])
    refused = "strata_node_admission_refused_total"
    assert matching(after, refused, method="RegisterWorker") >= matching(before, refused, method="RegisterWorker") + 2
    assert matching(after, refused, reason="unauthenticated") > 0 and matching(after, refused, reason="permission_denied") > 0


def test_forged_worker_calls_from_clients_are_refused(cluster, tokens):
    from strata.v1 import common_pb2, worker_pb2, worker_pb2_grpc
    forged = worker_pb2.ApplyWritesRequest(slot=0, writes=[worker_pb2.SlotWrite(sequence=999, namespace="docs", drop_namespace=True)])
    for cert, token, expected in ((None, None, grpc.StatusCode.UNAUTHENTICATED),
                                  (None, tokens["admin"], grpc.StatusCode.UNAUTHENTICATED),  # a client token never reaches a worker
                                  ("intruder", None, grpc.StatusCode.PERMISSION_DENIED),
                                  ("worker", None, grpc.StatusCode.PERMISSION_DENIED)):  # ApplyWrites is the coordinator's
        stub = worker_pb2_grpc.WorkerStub(cluster.channel(cluster.worker.address, cert=cert))
        code, details = code_of(lambda: stub.ApplyWrites(forged, metadata=bearer(token), timeout=10))
        assert code == expected, (cert, code, details)
        if cert != "worker":
            for call in (lambda: stub.StreamSlot(worker_pb2.StreamSlotRequest(slot=0), metadata=bearer(token), timeout=10),
                         lambda: stub.Search(worker_pb2.WorkerSearchRequest(namespace="docs", slots=list(range(SLOTS)), text="vault",
                                                                            mode=common_pb2.QUERY_MODE_LEXICAL, top_k=5),
                                             metadata=bearer(token), timeout=10)):
                assert code_of(call)[0] == expected, cert
    # A peer worker may copy a slot (recovery), and nothing forged changed the data.
    peer = worker_pb2_grpc.WorkerStub(cluster.channel(cluster.worker.address, cert="worker"))
    assert code_of(lambda: peer.StreamSlot(worker_pb2.StreamSlotRequest(slot=0), timeout=10))[0] == grpc.StatusCode.OK
    from strata.v1 import coordinator_pb2_grpc
    assert query(coordinator_pb2_grpc.CoordinatorStub(cluster.channel()), "docs", tokens["admin"])


def test_token_revocation_takes_effect_without_a_restart(cluster, tokens):
    from strata.v1 import coordinator_pb2_grpc
    env = {**os.environ, "STRATA_COORDINATOR": cluster.coordinator.address, "STRATA_CA": str(cluster.pki / "ca.pem"),
           "STRATA_TOKEN": cluster.admin}
    strata = str(BIN_DIR / "strata")
    created = subprocess.run([strata, "token", "create", "--name", "short-lived", "--scope", "read:docs"],
                             env=env, capture_output=True, text=True, timeout=30)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    listed = subprocess.run([strata, "token", "list"], env=env, capture_output=True, text=True, timeout=30)
    assert "short-lived" in listed.stdout and secret not in listed.stdout and cluster.admin not in listed.stdout
    stub = coordinator_pb2_grpc.CoordinatorStub(cluster.channel())
    assert query(stub, "docs", secret)
    pid = cluster.coordinator.process.pid
    revoked = subprocess.run([strata, "token", "revoke", "short-lived"], env=env, capture_output=True, text=True, timeout=30)
    assert revoked.returncode == 0, revoked.stderr
    code, details = code_of(lambda: query(stub, "docs", secret))
    assert code == grpc.StatusCode.UNAUTHENTICATED and "revoked" in details
    assert cluster.coordinator.process.pid == pid and cluster.coordinator.process.poll() is None
    # The CLI says what is wrong without the token or the CA.
    no_ca = subprocess.run([strata, "status"], env={**env, "STRATA_CA": ""}, capture_output=True, text=True, timeout=30)
    assert no_ca.returncode != 0
    no_token = subprocess.run([strata, "status"], env={**env, "STRATA_TOKEN": ""}, capture_output=True, text=True, timeout=30)
    assert no_token.returncode != 0 and "UNAUTHENTICATED" in no_token.stderr
    # Tokens never reach the logs.
    log = (cluster.root / "coordinator.err").read_text()
    assert secret not in log and cluster.admin not in log


def test_metrics_need_a_token_when_required(cluster, tokens):
    with pytest.raises(urllib.error.HTTPError) as refused:
        cluster.scrape()
    assert refused.value.code == 401
    with pytest.raises(urllib.error.HTTPError):
        cluster.scrape("strata_" + "1" * 64)
    values = cluster.scrape(tokens["scraper"])
    assert matching(values, "strata_client_tokens_active") >= 5
    assert matching(values, "strata_client_auth_refused_total", reason="permission_denied") > 0


def test_join_secret_without_tls(stubs):
    """A cluster without TLS and with a join secret: the worker joins with it; a node call without
    it, or with a wrong one, is UNAUTHENTICATED and never placed."""
    root = Path(tempfile.mkdtemp(prefix="strata-join-"))
    secret = "s3cret-" + "x" * 20
    (root / "secret").write_text(secret + "\n")
    nodes = []
    try:
        common = ["--set", f"coordinator.slots={SLOTS}", "--set", "coordinator.replicas=1",
                  "--set", "coordinator.heartbeat_interval_ms=100"]
        coordinator = LoggedNode(root, "coordinator", "strata-coordinator", [*common, "--set", f"cluster.join_secret={secret}",
                                                                             "--set", "coordinator.metrics_port=0"])
        nodes.append(coordinator)
        nodes.append(LoggedNode(root, "worker", "strata-worker", [
            "--coordinator", coordinator.address, *common, "--set", f"cluster.join_secret_file={root / 'secret'}",
            "--set", "worker.metrics_port=0"]))
        from strata.v1 import common_pb2, coordinator_pb2, coordinator_pb2_grpc, membership_pb2, membership_pb2_grpc
        channel = grpc.insecure_channel(coordinator.address)

        def placed():
            status = coordinator_pb2_grpc.CoordinatorStub(channel).GetClusterStatus(coordinator_pb2.ClusterStatusRequest(), timeout=10)
            return [n for n in status.nodes if n.role == common_pb2.NODE_ROLE_WORKER]
        eventually(lambda: assert_length(placed(), 1))
        stub = membership_pb2_grpc.MembershipStub(channel)
        request = membership_pb2.RegisterRequest(node_id="rogue", address="127.0.0.1:1", capacity=membership_pb2.Capacity(weight=1.0))
        for metadata in ([], [("x-strata-join-secret", "wrong-" + "y" * 20)]):
            code, _ = code_of(lambda: stub.RegisterWorker(request, metadata=metadata, timeout=10))
            assert code == grpc.StatusCode.UNAUTHENTICATED
        assert len(placed()) == 1
        assert secret not in (root / "coordinator.err").read_text()
    finally:
        for node in reversed(nodes):
            node.stop()
        shutil.rmtree(root, ignore_errors=True)


def assert_length(items, count):
    assert len(items) == count, items


def test_python_client_over_tls_with_a_token(cluster, tokens):
    from strata_client import PermissionDenied, Strata, Unauthenticated
    client = Strata(cluster.coordinator.address, token=tokens["reader"], ca=str(cluster.pki / "ca.pem"))
    try:
        assert client.query("docs", "vault code plumbago", token_budget=200, mode="lexical").passages
        assert [n.name for n in client.list_namespaces()] == ["docs"]
        with pytest.raises(PermissionDenied):
            client.query("other", "vault code plumbago", mode="lexical")
    finally:
        client.close()
    anonymous = Strata(cluster.coordinator.address, ca=str(cluster.pki / "ca.pem"))
    try:
        with pytest.raises(Unauthenticated):
            anonymous.list_namespaces()
    finally:
        anonymous.close()


def served_serial(address, ca):
    """The serial of the certificate a TLS node serves to a new connection (openssl s_client)."""
    handshake = subprocess.run(["openssl", "s_client", "-connect", address, "-CAfile", str(ca), "-alpn", "h2"],
                               input=b"", capture_output=True, timeout=20)
    serial = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=handshake.stdout, capture_output=True, timeout=20)
    assert serial.returncode == 0, handshake.stderr
    return serial.stdout.decode().strip().split("=")[1]


def test_certificates_reload_on_sighup_without_dropping_anything(stubs):
    from grpc.health.v1 import health_pb2, health_pb2_grpc
    root = Path(tempfile.mkdtemp(prefix="strata-reload-"))
    node = None
    try:
        pki = root / "pki"
        make_certs("ca", pki)
        make_certs("node", pki, "strata-coordinator", pki / "served")
        node = LoggedNode(root, "coordinator", "strata-coordinator", [
            "--set", f"tls.cert_file={pki / 'served'}.pem", "--set", f"tls.key_file={pki / 'served'}.key",
            "--set", f"tls.ca_file={pki / 'ca.pem'}", "--set", "tls.reload_interval_ms=0", "--set", "coordinator.metrics_port=0"])
        before = served_serial(node.address, pki / "ca.pem")
        channel = grpc.secure_channel(node.address, grpc.ssl_channel_credentials(root_certificates=(pki / "ca.pem").read_bytes()))
        health = health_pb2_grpc.HealthStub(channel)
        assert health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
        make_certs("node", pki, "strata-coordinator", pki / "next")
        for suffix in ("pem", "key"):
            os.replace(pki / f"next.{suffix}", pki / f"served.{suffix}")
        rotated = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", str(pki / "served.pem")],
                                 capture_output=True, text=True, timeout=20).stdout.strip().split("=")[1]
        assert served_serial(node.address, pki / "ca.pem") == before  # reload_interval_ms=0: only on SIGHUP
        node.process.send_signal(signal.SIGHUP)
        eventually(lambda: assert_equal(served_serial(node.address, pki / "ca.pem"), rotated), timeout=10)
        # The node kept running, and the connection opened before still serves calls.
        assert node.process.poll() is None
        assert health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
        channel.close()
    finally:
        if node:
            node.stop()
        shutil.rmtree(root, ignore_errors=True)


def assert_equal(actual, expected):
    assert actual == expected, (actual, expected)


def test_metrics_on_an_address_of_their_own(stubs):
    """metrics.listen binds /metrics apart from the gRPC port (e.g. a private interface); the
    node's status names that address."""
    from strata.v1 import coordinator_pb2, coordinator_pb2_grpc
    root = Path(tempfile.mkdtemp(prefix="strata-metrics-listen-"))
    node = None
    try:
        port = free_port()
        node = LoggedNode(root, "coordinator", "strata-coordinator", ["--set", f"metrics.listen=127.0.0.1:{port}"])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            assert response.status == 200 and "strata_node_info" in response.read().decode()
        status = coordinator_pb2_grpc.CoordinatorStub(grpc.insecure_channel(node.address)).GetNodeStatus(
            coordinator_pb2.NodeStatusRequest(), timeout=10)
        assert status.metrics_address == f"127.0.0.1:{port}"
    finally:
        if node:
            node.stop()
        shutil.rmtree(root, ignore_errors=True)
