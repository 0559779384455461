"""scripts/cluster-up.sh, cluster-status.sh and cluster-down.sh with --hosts FILE: nodes started
on their hosts over real ssh (a private sshd on a loopback port, with a throw-away host key and
an authorized key made in a temp folder), the --check plan of config/cluster.example.json, and
the one-line errors for a malformed hosts file, an unreachable host and a missing binary."""
import json
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import BIN_DIR, REPO, cluster_base_port, free_port, remove_shared_memory

SSHD = "/usr/sbin/sshd"
EXAMPLE = REPO / "config" / "cluster.example.json"


def run(*args, timeout=180, **env):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env={**os.environ, **{k: str(v) for k, v in env.items()}})


def script(name, *args, **env):
    return run(REPO / "scripts" / name, *args, **env)


def write_hosts(path, document):
    path.write_text(json.dumps(document, indent=2))
    return path


# --- --check and malformed files (no ssh needed) ---------------------------------------------

def test_check_prints_what_would_run_where_for_the_example():
    up = script("cluster-up.sh", "--hosts", EXAMPLE, "--check")
    assert up.returncode == 0, up.stderr
    out = up.stdout
    assert "is valid: 1 coordinator and 3 worker(s) on 3 host(s), zones eu-west-1a, eu-west-1b, eu-west-1c" in out
    assert "coordinator on strata@10.0.1.10: serves 10.0.1.10:7400, zone eu-west-1a" in out
    assert ("runs: /opt/strata/bin/strata-coordinator --listen 10.0.1.10:7400 --data /var/lib/strata/coordinator"
            " --config /etc/strata/strata.json --replicas 2 --set node.zone=eu-west-1a") in out
    assert ("runs: /opt/strata/bin/strata-worker --listen 10.0.2.10:7401 --data /var/lib/strata/worker-2"
            " --config /etc/strata/strata.json --coordinator 10.0.1.10:7400 --set node.zone=eu-west-1b") in out
    # worker-3 overrides its data directory, ssh port and one setting.
    assert "--data /srv/nvme0/strata/worker-3" in out and "--set rpc.threads=8" in out
    # worker-3 binds every interface and advertises the address the others dial.
    assert "--listen 0.0.0.0:7401 --data /srv/nvme0/strata/worker-3 --advertise 10.0.3.10:7401" in out
    assert "-p 2222" in out and "strata@10.0.3.10 'sh -s'" in out
    assert out.count("-o BatchMode=yes -o ConnectTimeout=5") == 4
    assert "pid:  /var/lib/strata/worker-1/node.pid   log: /var/lib/strata/worker-1/node.log" in out

    down = script("cluster-down.sh", "--hosts", EXAMPLE, "--check")
    assert down.returncode == 0 and "stops: SIGTERM to the pid in /var/lib/strata/worker-3" not in down.stdout
    assert "stops: SIGTERM to the pid in /srv/nvme0/strata/worker-3/node.pid, waits up to 30s" in down.stdout
    assert ("then: /opt/strata/bin/strata-worker --data /srv/nvme0/strata/worker-3 --config /etc/strata/strata.json"
            " --remove-warm-tier") in down.stdout
    kept = script("cluster-down.sh", "--hosts", EXAMPLE, "--check", "--keep-warm")
    assert kept.returncode == 0 and "--remove-warm-tier" not in kept.stdout
    status = script("cluster-status.sh", "--hosts", EXAMPLE, "--check")
    assert status.returncode == 0 and "health of 10.0.3.10:7401 from this machine" in status.stdout


def test_replicas_flag_overrides_the_file_in_the_plan():
    result = script("cluster-up.sh", "--hosts", EXAMPLE, "--check", "--replicas", 3)
    assert result.returncode == 0 and "3 replica(s) per slot" in result.stdout and "--replicas 3" in result.stdout


def good_document():
    return json.loads(EXAMPLE.read_text())


def broken(change):
    document = good_document()
    change(document)
    return document


MALFORMED = [
    ("not json", "{ \"coordinator\": ", "not valid JSON (line 1"),
    ("missing coordinator", broken(lambda d: d.pop("coordinator")), "coordinator: missing"),
    ("missing workers", broken(lambda d: d.pop("workers")), "workers: missing"),
    ("empty workers", broken(lambda d: d.update(workers=[])), "workers: must be a non-empty list"),
    ("unknown key", broken(lambda d: d["workers"][1].update(hots="x")), "workers[1].hots: unknown key"),
    ("address with port", broken(lambda d: d["workers"][1].update(address="10.0.2.10:7401")),
     'workers[1].address: give the port in "port"'),
    ("listen with port", broken(lambda d: d["workers"][0].update(listen="0.0.0.0:7401")), "workers[0].listen: must be a host or IP to bind"),
    ("missing address", broken(lambda d: d["workers"][2].pop("address")), "workers[2].address: missing"),
    ("missing host", broken(lambda d: d["coordinator"].pop("host")), "coordinator.host: missing"),
    ("option-like host", broken(lambda d: d["workers"][0].update(host="-oProxyCommand=x")), "workers[0].host: must be an ssh destination"),
    ("port out of range", broken(lambda d: d["workers"][0].update(port=70000)), "workers[0].port: must be a whole number from 1 to 65535"),
    ("port as text", broken(lambda d: d["coordinator"].update(port="7400")), "coordinator.port: must be a whole number"),
    ("same endpoint twice", broken(lambda d: d["workers"][1].update(address="10.0.1.10")), "workers[1].port: 10.0.1.10:7401 is already used by workers[0]"),
    ("same name twice", broken(lambda d: d["workers"][1].update(name="worker-1")), "workers[1].name: 'worker-1' is already the name of workers[0]"),
    ("relative data", broken(lambda d: d["workers"][0].update(data="var/w1")), "workers[0].data: must be an absolute path"),
    ("relative bin", broken(lambda d: d["defaults"].update(bin="bin")), "defaults.bin: must be an absolute path"),
    ("no data anywhere", broken(lambda d: d["defaults"].pop("data")), "coordinator.data: missing"),
    ("ssh port", broken(lambda d: d["workers"][2]["ssh"].update(port=0)), "workers[2].ssh.port: must be a whole number"),
    ("batch mode", broken(lambda d: d["defaults"]["ssh"]["options"].update(BatchMode="no")), "defaults.ssh.options.BatchMode: is always yes"),
    ("bad setting", broken(lambda d: d["workers"][2]["settings"].update({"rpc.threads": [8]})), "workers[2].settings.rpc.threads: must be a string"),
    ("replicas", broken(lambda d: d.update(replicas=0)), "replicas: must be a whole number from 1 to 64"),
    ("workers not a list", broken(lambda d: d.update(workers={"host": "a"})), "workers: must be a non-empty list"),
]


@pytest.mark.parametrize("label,document,message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_hosts_file_is_refused_naming_the_key(tmp_path, label, document, message):
    path = tmp_path / "hosts.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    # All three scripts read the file the same way; checking each on two cases keeps this quick.
    names = ("cluster-up.sh", "cluster-down.sh", "cluster-status.sh") if label in ("not json", "unknown key") else ("cluster-up.sh",)
    for name in names:
        result = script(name, "--hosts", path, "--check")
        assert result.returncode == 65, (name, result.stdout, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and str(path) in lines[0], (name, result.stderr)


def test_flags_that_contradict_the_hosts_file_are_refused():
    for flags in (["--workers", 2], ["--base-port", 7500], ["--data", "var/x"], ["--config", "config/strata.json"]):
        result = script("cluster-up.sh", "--hosts", EXAMPLE, *flags)
        assert result.returncode == 64 and f"{flags[0]} does not apply with --hosts" in result.stderr
    assert script("cluster-down.sh", "--hosts", EXAMPLE, "--data", "x").returncode == 64
    assert script("cluster-status.sh", "--hosts", EXAMPLE, "--coordinator", "x").returncode == 64
    missing = script("cluster-up.sh", "--hosts", "config/no-such-hosts.json", "--check")
    assert missing.returncode == 65 and "cannot read the hosts file" in missing.stderr


def test_missing_binary_on_the_host_is_one_clear_line(tmp_path):
    hosts = write_hosts(tmp_path / "hosts.json", {
        "defaults": {"bin": str(tmp_path / "no-bin"), "data": str(tmp_path / "nodes")},
        "coordinator": {"host": "local", "address": "127.0.0.1", "port": free_port()},
        "workers": [{"host": "local", "address": "127.0.0.1", "port": free_port()}],
    })
    result = script("cluster-up.sh", "--hosts", hosts, "--bin", BIN_DIR)
    assert result.returncode == 1
    assert f"cluster-up: coordinator: {tmp_path}/no-bin/strata-coordinator is missing or not executable on local" in result.stderr
    assert f"cluster-up: worker-1: {tmp_path}/no-bin/strata-worker is missing or not executable on local" in result.stderr
    assert "nothing was started" in result.stderr and not (tmp_path / "nodes").exists()


def test_node_that_exits_at_start_is_reported_and_the_started_ones_are_stopped(tmp_path):
    # A test double for a worker binary that cannot load a library, as on a host without them.
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    (fake / "strata-worker").write_text("#!/bin/sh\necho 'strata-worker: error while loading shared libraries: libgrpc.so.29' >&2\nexit 127\n")
    (fake / "strata-worker").chmod(0o755)
    hosts = write_hosts(tmp_path / "hosts.json", {
        "defaults": {"bin": str(BIN_DIR), "data": str(tmp_path / "nodes")},
        "coordinator": {"host": "local", "address": "127.0.0.1", "port": free_port()},
        "workers": [{"host": "local", "address": "127.0.0.1", "port": free_port(), "bin": str(fake)}],
    })
    result = script("cluster-up.sh", "--hosts", hosts, "--bin", BIN_DIR)
    assert result.returncode == 1
    assert f"cluster-up: worker-1 on local: exited at start; last lines of {tmp_path}/nodes/worker-1/node.log:" in result.stderr
    assert "libgrpc.so.29" in result.stderr
    assert "stopping the 1 node(s) this run started" in result.stderr and "coordinator stopped" in result.stderr
    assert not (tmp_path / "nodes" / "coordinator" / "node.pid").exists()


def test_unreachable_host_is_one_clear_line_and_starts_nothing(tmp_path):
    closed = free_port()  # nothing listens there: the connection is refused at once
    hosts = write_hosts(tmp_path / "hosts.json", {
        "defaults": {"bin": str(BIN_DIR), "data": str(tmp_path / "nodes"), "ssh": {"port": closed}},
        "coordinator": {"host": "local", "address": "127.0.0.1", "port": free_port()},
        "workers": [{"host": "root@127.0.0.1", "address": "127.0.0.1", "port": free_port()}],
    })
    result = script("cluster-up.sh", "--hosts", hosts, "--bin", BIN_DIR)
    assert result.returncode == 1
    line = next(line for line in result.stderr.splitlines() if "worker-1" in line)
    assert line.startswith("cluster-up: worker-1: cannot reach root@127.0.0.1 over ssh: ") and "refused" in line
    assert "nothing was started" in result.stderr and not (tmp_path / "nodes" / "coordinator" / "node.pid").exists()
    down = script("cluster-down.sh", "--hosts", hosts)
    assert down.returncode == 1 and "cluster-down: worker-1: cannot reach root@127.0.0.1 over ssh" in down.stderr
    assert "coordinator not running (local)" in down.stdout


# --- the real thing: a private sshd ------------------------------------------------------------

class PrivateSshd:
    """sshd on a loopback port with its own host key, authorized key and config, all in a temp
    folder; the system's sshd configuration is never read or changed."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.key = folder / "client_key"
        for name in ("host_key", "client_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True)
        shutil.copy(folder / "client_key.pub", folder / "authorized_keys")
        (folder / "sshd_config").write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {folder / 'host_key'}",
            f"AuthorizedKeysFile {folder / 'authorized_keys'}", f"PidFile {folder / 'sshd.pid'}",
            "PubkeyAuthentication yes", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no", "LogLevel VERBOSE", "",
        ]))
        # sshd refuses to start without its privilege-separation directory, which the Debian
        # package only creates when its own service starts.
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.log = open(folder / "sshd.log", "w")
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(folder / "sshd_config")],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"sshd did not start: {(folder / 'sshd.log').read_text()}")

    @property
    def ssh(self):
        return {"port": self.port, "identity": str(self.key),
                "options": {"StrictHostKeyChecking": "no", "UserKnownHostsFile": "/dev/null", "LogLevel": "ERROR"}}

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def sshd(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the private sshd must run as root to log in as root (CI runs as root)")
    if not os.path.exists(SSHD):
        pytest.skip(f"{SSHD} is missing: scripts/install-deps.sh installs openssh-server")
    folder = tmp_path / "sshd"
    folder.mkdir()
    server = PrivateSshd(folder)
    yield server
    server.stop()


def warm_tier_objects(pids):
    """The shared-memory objects the given processes map (each worker keeps its warm tier there)."""
    names = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/maps") as maps:
                names |= {line.rsplit("/", 1)[-1].strip() for line in maps if "/dev/shm/strata-" in line}
        except OSError:
            pass
    return names


def pid_of(data):
    return int((data / "node.pid").read_text())


def test_up_status_down_and_up_again_over_ssh(tmp_path, sshd):
    base = cluster_base_port()
    nodes = tmp_path / "nodes"
    hosts = write_hosts(tmp_path / "hosts.json", {
        "replicas": 2,
        "defaults": {"bin": str(BIN_DIR), "data": str(nodes), "ssh": sshd.ssh},
        "coordinator": {"host": "root@127.0.0.1", "address": "127.0.0.1", "port": base, "zone": "zone-a"},
        "workers": [
            {"host": "root@127.0.0.1", "address": "127.0.0.1", "port": base + 1, "zone": "zone-a"},
            {"host": "root@127.0.0.1", "address": "127.0.0.1", "port": base + 2, "zone": "zone-b",
             "data": str(tmp_path / "elsewhere" / "w2"), "settings": {"rpc.threads": 1}},
        ],
    })
    strata = BIN_DIR / "strata"
    coordinator = f"127.0.0.1:{base}"
    shared = set()
    try:
        up = script("cluster-up.sh", "--hosts", hosts, "--bin", BIN_DIR)
        assert up.returncode == 0, up.stderr + (tmp_path / "sshd" / "sshd.log").read_text()
        assert f"coordinator  127.0.0.1:{base}  on root@127.0.0.1  zone zone-a  (export STRATA_COORDINATOR={coordinator})" in up.stdout
        assert f"worker-2     127.0.0.1:{base + 2}  on root@127.0.0.1  zone zone-b" in up.stdout
        datas = [nodes / "coordinator", nodes / "worker-1", tmp_path / "elsewhere" / "w2"]
        pids = [pid_of(data) for data in datas]
        shared = warm_tier_objects(pids[1:])
        # Each node runs in its own session (setsid), detached from the ssh session that started it.
        for pid, data in zip(pids, datas):
            assert os.getsid(pid) == pid and (data / "node.log").exists()
        assert "--set rpc.threads=1" in (datas[2] / "node.log").read_text()

        # sshd really carried the logins (one per node for the preflight, one per node to start).
        assert (tmp_path / "sshd" / "sshd.log").read_text().count("Accepted publickey for root") >= 6

        for _ in range(100):
            status = script("cluster-status.sh", "--hosts", hosts, STRATA_BIN=BIN_DIR)
            if status.returncode == 0 and "workers: 2 serving" in status.stdout:
                break
            time.sleep(0.1)
        assert status.returncode == 0, status.stdout + status.stderr
        table = status.stdout.splitlines()
        for name, pid in zip(("coordinator", "worker-1", "worker-2"), pids):
            row = next(line for line in table if line.startswith(name + " "))
            assert "root@127.0.0.1" in row and "SERVING" in row and f"running (pid {pid})" in row
        assert "zone-b" in status.stdout and "workers: 2 serving" in status.stdout
        worker_ids = sorted(line.split()[1] for line in table if line.startswith("worker ") and "serving" in line)
        assert len(worker_ids) == 2

        assert run(strata, "namespace", "create", "kept", "--tokenizer", "estimate", "--coordinator", coordinator).returncode == 0
        doc = tmp_path / "doc.txt"
        doc.write_text("a document that must survive a restart of the whole cluster over ssh\n")
        assert run(strata, "ingest", "-n", "kept", doc, "--coordinator", coordinator).returncode == 0

        again = script("cluster-up.sh", "--hosts", hosts, "--bin", BIN_DIR)
        assert again.returncode == 1 and "cluster-up: worker-1: already running (pid" in again.stderr
        assert "nothing was started" in again.stderr

        # --keep-warm: the workers' warm tiers stay in /dev/shm for the restart below.
        down = script("cluster-down.sh", "--hosts", hosts, "--keep-warm")
        assert down.returncode == 0, down.stderr
        for name in ("coordinator", "worker-1", "worker-2"):
            assert f"{name} stopped (root@127.0.0.1)" in down.stdout
        for pid, data in zip(pids, datas):
            assert not (data / "node.pid").exists()
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        assert len(shared) == 2 and all(os.path.exists(f"/dev/shm/{name}") for name in shared)

        stopped = script("cluster-status.sh", "--hosts", hosts, STRATA_BIN=BIN_DIR)
        assert stopped.returncode == 1 and stopped.stdout.count("unreachable") >= 3 and "not running" in stopped.stdout

        # Up again on the same data directories: the same cluster, with its data.
        reup = script("cluster-up.sh", "--hosts", hosts, "--bin", BIN_DIR)
        assert reup.returncode == 0, reup.stderr
        shared |= warm_tier_objects(pid_of(data) for data in datas[1:])
        listed = run(strata, "namespace", "list", "--coordinator", coordinator)
        assert "kept" in listed.stdout and " 1 " in listed.stdout
        for _ in range(100):
            status = script("cluster-status.sh", "--hosts", hosts, STRATA_BIN=BIN_DIR)
            if status.returncode == 0 and "workers: 2 serving" in status.stdout:
                break
            time.sleep(0.1)
        again_ids = sorted(line.split()[1] for line in status.stdout.splitlines() if line.startswith("worker ") and "serving" in line)
        assert again_ids == worker_ids
        for data in datas[1:]:
            assert "warm tier=reattached" in (data / "node.log").read_text()

        # A plain cluster-down gives the warm tiers back.
        final = script("cluster-down.sh", "--hosts", hosts)
        assert final.returncode == 0, final.stderr
        for name in ("worker-1", "worker-2"):
            assert f"{name} stopped, warm tier removed (root@127.0.0.1)" in final.stdout
        assert not any(os.path.exists(f"/dev/shm/{name}") for name in shared)
    finally:
        script("cluster-down.sh", "--hosts", hosts)
        # Stopped workers keep their warm tier in shared memory for a restart; these never restart.
        remove_shared_memory(shared)


def test_secure_hosts_mode_sends_each_node_its_certificate(tmp_path):
    """--hosts --secure: certificates made here (SANs from the hosts file), written into each
    node's data directory on its host by the start script, the CLI of this machine pointed at
    them; hosts "local" stand in for ssh destinations (the ssh route itself is covered above)."""
    pki = tmp_path / "pki"
    hosts = write_hosts(tmp_path / "hosts.json", {
        "defaults": {"bin": str(BIN_DIR), "data": str(tmp_path / "nodes"),
                     "settings": {"coordinator.heartbeat_interval_ms": 100, "coordinator.metrics_port": 0, "worker.metrics_port": 0}},
        "replicas": 1,
        "coordinator": {"host": "local", "address": "127.0.0.1", "port": free_port()},
        "workers": [{"host": "local", "address": "127.0.0.1", "port": free_port()}],
    })
    try:
        up = script("cluster-up.sh", "--hosts", hosts, "--bin", BIN_DIR, "--secure", STRATA_HOSTS_PKI=pki)
        assert up.returncode == 0, up.stderr
        assert f"STRATA_CA={pki}/ca.pem" in up.stdout and f"STRATA_TOKEN_FILE={pki}/admin.token" in up.stdout
        worker_pki = tmp_path / "nodes" / "worker-1" / "pki"
        assert (worker_pki / "ca.pem").read_text() == (pki / "ca.pem").read_text()
        assert oct(os.stat(worker_pki / "node.key").st_mode & 0o777) == "0o600"
        assert not (worker_pki / "admin.token").exists()
        san = run("openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", pki / "worker-1.pem").stdout
        assert "127.0.0.1" in san and "localhost" in san
        coordinator = next(line.split()[1] for line in up.stdout.splitlines() if line.startswith("coordinator"))
        secure = {"STRATA_COORDINATOR": coordinator, "STRATA_CA": pki / "ca.pem", "STRATA_TOKEN_FILE": pki / "admin.token"}
        assert "workers: 1 serving" in run(BIN_DIR / "strata", "status", **secure).stdout
        assert run(BIN_DIR / "strata", "status", **{**secure, "STRATA_CA": ""}).returncode != 0
    finally:
        script("cluster-down.sh", "--hosts", hosts)
