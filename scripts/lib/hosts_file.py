"""Reads and validates a cluster hosts file (see config/cluster.example.json and docs/deploy.md).

Pure: JSON text in, a list of `Node` values out, or a `HostsFileError` that names the
offending key (`workers[1].address`). Nothing here opens a connection or starts a process,
so `--check` can show exactly what `cluster-up.sh --hosts` would run without touching a host.
"""
import json
import re
from dataclasses import dataclass, field

COORDINATOR_PORT = 7400
WORKER_PORT = 7401
DEFAULT_BIN = "/usr/local/bin"
DEFAULT_REPLICAS = 2
LOCAL = "local"

TOP_KEYS = {"_comment", "replicas", "defaults", "coordinator", "workers"}
DEFAULT_KEYS = {"_comment", "bin", "data", "config", "ssh", "settings"}
NODE_KEYS = {"_comment", "name", "host", "address", "listen", "port", "data", "zone", "bin", "config", "ssh", "settings"}
SSH_KEYS = {"port", "identity", "options"}

# A node name becomes part of paths and log lines, so it stays a plain word.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
# The address other nodes dial: a DNS name, an IPv4 address, or a bracketed IPv6 address.
ADDRESS = re.compile(r"^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$")
# An ssh destination: [user@]host, never starting with '-' (it would read as an ssh option).
DESTINATION = re.compile(r"^([A-Za-z0-9._][A-Za-z0-9._-]*@)?([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])$")
SETTING_KEY = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
# Options that would defeat non-interactive use; the scripts set them and must win.
FORCED_SSH_OPTIONS = {"batchmode"}


class HostsFileError(Exception):
    """A hosts file that cannot be used; `key` is the JSON path of the offending value."""

    def __init__(self, key, message):
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


@dataclass(frozen=True)
class Ssh:
    """How to reach a host: ssh port, identity file and extra `-o` options."""

    port: int = 0
    identity: str = ""
    options: tuple = ()


@dataclass(frozen=True)
class Node:
    """One node of the cluster as the hosts file places it."""

    role: str  # "coordinator" or "worker"
    name: str
    host: str  # ssh destination, or "local" to run without ssh
    address: str  # host name or IP the other nodes dial
    port: int
    data: str  # data directory on the host; pid and log files live in it
    zone: str
    bin: str  # directory of the strata binaries on the host
    config: str  # path of a strata.json on the host, or ""
    ssh: Ssh
    settings: tuple = field(default=())  # ("key", "value") pairs passed as --set key=value
    listen: str = ""  # host to bind (e.g. "0.0.0.0"); "" binds `address`

    @property
    def listen_endpoint(self):
        return f"{self.listen or self.address}:{self.port}"

    @property
    def endpoint(self):
        return f"{self.address}:{self.port}"

    @property
    def binary(self):
        return f"{self.bin.rstrip('/') or ''}/strata-{self.role}"

    @property
    def is_local(self):
        return self.host == LOCAL

    @property
    def pid_file(self):
        return f"{self.data}/node.pid"

    @property
    def log_file(self):
        return f"{self.data}/node.log"


@dataclass(frozen=True)
class Cluster:
    """A validated hosts file: the coordinator, the workers, and the replica count."""

    replicas: int
    coordinator: Node
    workers: tuple

    @property
    def nodes(self):
        return (self.coordinator, *self.workers)


def load(text, replicas_override=None):
    """Parses hosts-file JSON text; raises HostsFileError naming the key at fault."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise HostsFileError("", f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    root = _object(document, "", TOP_KEYS)
    replicas = root.get("replicas", DEFAULT_REPLICAS)
    _integer(replicas, "replicas", 1, 64)
    if replicas_override is not None:
        replicas = replicas_override
    defaults = _object(root.get("defaults", {}), "defaults", DEFAULT_KEYS)
    for key in ("bin", "data"):
        if key in defaults:
            _absolute(defaults[key], f"defaults.{key}")
    if "config" in defaults:
        _text(defaults["config"], "defaults.config")
    default_ssh = _ssh(defaults.get("ssh", {}), "defaults.ssh", Ssh())
    default_settings = _settings(defaults.get("settings", {}), "defaults.settings")

    if "coordinator" not in root:
        raise HostsFileError("coordinator", "missing (the coordinator's host and address)")
    coordinator = _node(root["coordinator"], "coordinator", "coordinator", "coordinator", COORDINATOR_PORT,
                        defaults, default_ssh, default_settings)
    if "workers" not in root:
        raise HostsFileError("workers", "missing (a list of worker hosts)")
    listed = root["workers"]
    if not isinstance(listed, list) or not listed:
        raise HostsFileError("workers", "must be a non-empty list of worker objects")
    workers = tuple(
        _node(entry, "worker", f"workers[{index}]", f"worker-{index + 1}", WORKER_PORT, defaults, default_ssh, default_settings)
        for index, entry in enumerate(listed)
    )
    cluster = Cluster(replicas=replicas, coordinator=coordinator, workers=workers)
    _check_unique(cluster)
    return cluster


def _node(value, role, key, default_name, default_port, defaults, default_ssh, default_settings):
    entry = _object(value, key, NODE_KEYS)
    name = entry.get("name", default_name)
    if not isinstance(name, str) or not NAME.match(name):
        raise HostsFileError(f"{key}.name", "must be letters, digits, '.', '_' or '-' (at most 63)")
    if "host" not in entry:
        raise HostsFileError(f"{key}.host", 'missing (an ssh destination such as "root@10.0.0.2", or "local")')
    host = entry["host"]
    if not isinstance(host, str) or not (host == LOCAL or DESTINATION.match(host)):
        raise HostsFileError(f"{key}.host", f'must be an ssh destination such as "root@10.0.0.2", or "local" (got {json.dumps(host)})')
    if "address" not in entry:
        raise HostsFileError(f"{key}.address", "missing (the host name or IP the other nodes dial)")
    address = entry["address"]
    if isinstance(address, str) and re.match(r"^[^\[\]]+:\d+$", address):
        raise HostsFileError(f"{key}.address", f'give the port in "port", not in the address (got {json.dumps(address)})')
    if not isinstance(address, str) or not ADDRESS.match(address):
        raise HostsFileError(f"{key}.address", f"must be a host name or IP address (got {json.dumps(address)})")
    listen = entry.get("listen", "")
    if listen != "" and (not isinstance(listen, str) or not ADDRESS.match(listen)):
        raise HostsFileError(f"{key}.listen", f'must be a host or IP to bind, such as "0.0.0.0" (got {json.dumps(listen)})')
    port = entry.get("port", default_port)
    _integer(port, f"{key}.port", 1, 65535)
    if "data" in entry:
        data = _absolute(entry["data"], f"{key}.data")
    elif "data" in defaults:
        data = defaults["data"].rstrip("/") + "/" + name
    else:
        raise HostsFileError(f"{key}.data", "missing (give it here, or defaults.data as the parent of every node's directory)")
    zone = entry.get("zone", "")
    _text(zone, f"{key}.zone", allow_empty=True)
    binaries = _absolute(entry["bin"], f"{key}.bin") if "bin" in entry else defaults.get("bin", DEFAULT_BIN)
    config = entry.get("config", defaults.get("config", ""))
    _text(config, f"{key}.config", allow_empty=True)
    ssh = _ssh(entry.get("ssh", {}), f"{key}.ssh", default_ssh)
    settings = dict(default_settings)
    settings.update(_settings(entry.get("settings", {}), f"{key}.settings"))
    return Node(role=role, name=name, host=host, address=address, port=port, data=data.rstrip("/") or "/",
                zone=zone, bin=binaries, config=config, ssh=ssh, settings=tuple(settings.items()), listen=listen)


def _check_unique(cluster):
    names, endpoints, directories = {}, {}, {}
    for index, node in enumerate(cluster.nodes):
        key = "coordinator" if index == 0 else f"workers[{index - 1}]"
        if node.name in names:
            raise HostsFileError(f"{key}.name", f"{node.name!r} is already the name of {names[node.name]}")
        names[node.name] = key
        if node.endpoint in endpoints:
            raise HostsFileError(f"{key}.port", f"{node.endpoint} is already used by {endpoints[node.endpoint]}")
        endpoints[node.endpoint] = key
        place = (node.host, node.ssh.port, node.data)
        if place in directories:
            raise HostsFileError(f"{key}.data", f"{node.data} on {node.host} is already the data directory of {directories[place]}")
        directories[place] = key


def _ssh(value, key, inherited):
    entry = _object(value, key, SSH_KEYS)
    port = entry.get("port", inherited.port)
    if "port" in entry:
        _integer(port, f"{key}.port", 1, 65535)
    identity = entry.get("identity", inherited.identity)
    _text(identity, f"{key}.identity", allow_empty=True)
    options = dict(inherited.options)
    raw = entry.get("options", {})
    if not isinstance(raw, dict):
        raise HostsFileError(f"{key}.options", 'must be an object of ssh options, e.g. {"StrictHostKeyChecking": "accept-new"}')
    for name, setting in raw.items():
        if not re.match(r"^[A-Za-z]+$", name):
            raise HostsFileError(f"{key}.options.{name}", "is not an ssh option name (see man ssh_config)")
        if name.lower() in FORCED_SSH_OPTIONS:
            raise HostsFileError(f"{key}.options.{name}", "is always yes: the scripts never prompt")
        if not isinstance(setting, (str, int)) or isinstance(setting, bool) or "\n" in str(setting):
            raise HostsFileError(f"{key}.options.{name}", "must be a string or a number")
        options[name] = str(setting)
    return Ssh(port=port, identity=identity, options=tuple(options.items()))


def _settings(value, key):
    entry = _object(value, key, None)
    settings = {}
    for name, setting in entry.items():
        if not SETTING_KEY.match(name):
            raise HostsFileError(f"{key}.{name}", "must be a config key such as rpc.threads (see config/strata.json)")
        if isinstance(setting, bool):
            setting = "true" if setting else "false"
        if not isinstance(setting, (str, int, float)) or "\n" in str(setting):
            raise HostsFileError(f"{key}.{name}", "must be a string, a number or a boolean")
        settings[name] = str(setting)
    return settings


def _object(value, key, allowed):
    if not isinstance(value, dict):
        raise HostsFileError(key, "must be a JSON object")
    if allowed is not None:
        for name in value:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                raise HostsFileError(where, f"unknown key (known: {', '.join(sorted(allowed - {'_comment'}))})")
    return value


def _integer(value, key, low, high):
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise HostsFileError(key, f"must be a whole number from {low} to {high} (got {json.dumps(value)})")


def _text(value, key, allow_empty=False):
    if not isinstance(value, str) or (not value and not allow_empty) or "\n" in value:
        raise HostsFileError(key, "must be a non-empty string on one line" if not allow_empty else "must be a string on one line")
    return value


def _absolute(value, key):
    _text(value, key)
    if not value.startswith("/"):
        raise HostsFileError(key, f"must be an absolute path on the host (got {json.dumps(value)})")
    return value
