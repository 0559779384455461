"""The deployment files parse, and reference the ports, flags and probes the binaries use."""
import json
import re
import subprocess
from pathlib import Path

import yaml

from conftest import BIN_DIR, REPO

CONFIG = json.loads((REPO / "config" / "strata.json").read_text())
COORDINATOR_PORT = int(CONFIG["coordinator"]["listen"].rsplit(":", 1)[1])
WORKER_PORT = int(CONFIG["worker"]["listen"].rsplit(":", 1)[1])


def documents(name):
    return [d for d in yaml.safe_load_all((REPO / "deploy" / "kubernetes" / name).read_text()) if d]


def by_kind(docs, kind):
    found = [d for d in docs if d["kind"] == kind]
    assert found, f"no {kind}"
    return found[0]


def container_ports(container):
    return {p["name"]: p["containerPort"] for p in container["ports"]}


def check_probes(container, port):
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"]["port"] == port, f"{probe} must be a gRPC health probe on {port}"


def test_coordinator_manifest():
    docs = documents("coordinator.yaml")
    deployment = by_kind(docs, "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container_ports(container) == {"grpc": COORDINATOR_PORT, "metrics": CONFIG["coordinator"]["metrics_port"]}
    check_probes(container, COORDINATOR_PORT)
    assert f"0.0.0.0:{COORDINATOR_PORT}" in container["args"]
    service = by_kind(docs, "Service")
    assert {p["port"] for p in service["spec"]["ports"]} == {COORDINATOR_PORT, CONFIG["coordinator"]["metrics_port"]}
    assert service["spec"]["selector"] == deployment["spec"]["template"]["metadata"]["labels"]


def test_worker_manifest():
    docs = documents("workers.yaml")
    stateful = by_kind(docs, "StatefulSet")
    spec = stateful["spec"]
    container = spec["template"]["spec"]["containers"][0]
    assert container_ports(container) == {"grpc": WORKER_PORT, "metrics": CONFIG["worker"]["metrics_port"]}
    check_probes(container, WORKER_PORT)
    assert spec["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    assert {"name": "data", "mountPath": "/data"} in container["volumeMounts"]
    assert f"strata-coordinator:{COORDINATOR_PORT}" in container["args"]
    service = by_kind(docs, "Service")
    assert service["spec"]["clusterIP"] == "None" and spec["serviceName"] == service["metadata"]["name"]
    # Workers bind a wildcard, so each must advertise its stable DNS name, and that name must
    # resolve while the worker is still recovering (not ready).
    advertised = container["args"][container["args"].index("--advertise") + 1]
    assert advertised == f"$(POD_NAME).{service['metadata']['name']}:{WORKER_PORT}"
    assert {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}} in container["env"]
    assert service["spec"]["publishNotReadyAddresses"] is True


def flags_of(binary):
    help_text = subprocess.run([str(BIN_DIR / binary), "--help"], capture_output=True, text=True).stdout
    return set(re.findall(r"--[a-z][a-z-]+", help_text))


def test_manifests_and_units_use_flags_the_binaries_have():
    worker_flags, coordinator_flags = flags_of("strata-worker"), flags_of("strata-coordinator")
    assert {"--listen", "--data", "--coordinator", "--config"} <= worker_flags
    texts = {
        "strata-worker": [(REPO / "deploy/systemd/strata-worker@.service").read_text(), (REPO / "deploy/kubernetes/workers.yaml").read_text()],
        "strata-coordinator": [(REPO / "deploy/systemd/strata-coordinator.service").read_text(), (REPO / "deploy/kubernetes/coordinator.yaml").read_text()],
    }
    for binary, flags in (("strata-worker", worker_flags), ("strata-coordinator", coordinator_flags)):
        for text in texts[binary]:
            command_lines = [line for line in text.splitlines() if "ExecStart=" in line or "args:" in line]
            used = set(re.findall(r"(--[a-z][a-z-]+)", "\n".join(command_lines)))
            assert used, f"no command line found for {binary}"
            assert used <= flags, f"{binary} has no {used - flags}"


def test_systemd_units_have_the_essentials():
    for name in ("strata-coordinator.service", "strata-worker@.service"):
        text = (REPO / "deploy" / "systemd" / name).read_text()
        for key in ("[Unit]", "[Service]", "[Install]", "ExecStart=", "KillSignal=SIGTERM", "Restart=on-failure"):
            assert key in text, f"{name} lacks {key}"


def config_keys():
    """Every dotted key of config/strata.json, as its STRATA_ environment name."""
    names = set()
    def walk(prefix, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        else:
            names.add("STRATA_" + prefix.replace(".", "_").upper())
    walk("", CONFIG)
    return names


def test_secure_overlay_and_security_env_name_real_keys_and_mounted_secrets():
    secure = REPO / "deploy" / "kubernetes" / "secure"
    kustomization = yaml.safe_load((secure / "kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {"../coordinator.yaml", "../workers.yaml"}
    keys = config_keys()
    health_flags = set(re.findall(r"--[a-z][a-z-]+", subprocess.run([str(BIN_DIR / "strata"), "health", "--help"],
                                                                    capture_output=True, text=True).stdout))
    for patch in kustomization["patches"]:
        document = yaml.safe_load((secure / patch["path"]).read_text())
        base = {d["metadata"]["name"]: d for name in ("coordinator.yaml", "workers.yaml") for d in documents(name)}
        assert document["metadata"]["name"] in base and document["kind"] == base[document["metadata"]["name"]]["kind"]
        container = document["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e["value"] for e in container["env"]}
        assert set(env) <= keys, set(env) - keys
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        volumes = {v["name"]: v["secret"]["secretName"] for v in document["spec"]["template"]["spec"]["volumes"]}
        for variable in ("STRATA_TLS_CERT_FILE", "STRATA_TLS_KEY_FILE", "STRATA_TLS_CA_FILE"):
            directory = env[variable].rsplit("/", 1)[0]
            assert directory in mounts and mounts[directory] in volumes, variable
        for probe in ("readinessProbe", "livenessProbe"):
            command = container[probe]["exec"]["command"]
            assert container[probe]["grpc"] is None and command[:2] == ["strata", "health"]
            assert {a for a in command if a.startswith("--")} <= health_flags
    example = (REPO / "deploy" / "systemd" / "security.env.example").read_text()
    variables = set(re.findall(r"^#?(STRATA_[A-Z_]+)=", example, re.MULTILINE))
    assert variables and variables <= keys, variables - keys
    for name in ("strata-coordinator.service", "strata-worker@.service"):
        text = (REPO / "deploy" / "systemd" / name).read_text()
        assert "EnvironmentFile=-/etc/strata/security.env" in text and "ExecReload=/bin/kill -HUP $MAINPID" in text


def test_high_availability_manifest_and_unit():
    docs = documents("coordinators-ha.yaml")
    deployment = by_kind(docs, "Deployment")
    assert deployment["spec"]["replicas"] == 3
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    check_probes(container, COORDINATOR_PORT)
    args = container["args"]
    endpoints = next(a for a in args if a.startswith("coordinator.etcd_endpoints="))
    etcd = by_kind(docs, "StatefulSet")
    assert etcd["spec"]["replicas"] == 3 and endpoints.count(":2379") == 3
    assert args[args.index("--advertise") + 1] == f"$(POD_IP):{COORDINATOR_PORT}"
    used = set(re.findall(r"(--[a-z][a-z-]+)", " ".join(args)))
    assert used <= flags_of("strata-coordinator"), used - flags_of("strata-coordinator")
    unit = (REPO / "deploy" / "systemd" / "strata-coordinator-etcd.service").read_text()
    for key in ("[Unit]", "[Service]", "[Install]", "ExecStart=", "KillSignal=SIGTERM", "Restart=on-failure"):
        assert key in unit
