"""What runs on a node's host: the ssh command line and the POSIX sh scripts fed to it.

Pure string building (no I/O), so `--check` prints exactly what `up`, `down` and `status`
would run. Each script goes to `sh -s` on the host's standard input, which keeps the quoting
to one level: values are quoted once here with shlex.quote and never re-parsed by ssh.

Exit codes of the scripts (read by cluster_hosts.py):
  0 done; 69 a binary is missing or not executable; 73 the data directory cannot be written;
  75 the node is already running (preflight); 70 the node exited right after starting;
  1 a node did not stop within the timeout and got SIGKILL.
"""
import os
import shlex

MISSING_BINARY = 69
UNWRITABLE_DATA = 73
ALREADY_RUNNING = 75
EXITED_AT_START = 70
SSH_FAILED = 255  # ssh's own code for "could not connect or authenticate"

CONNECT_TIMEOUT_SECONDS = 5

# The pid file only counts when its process is still a strata node: after a reboot the pid
# may belong to anything, and cluster-down must never signal that.
_ALIVE = """alive() {
    [ -f "$pid_file" ] || return 1
    pid=$(cat "$pid_file" 2>/dev/null) || return 1
    case "$pid" in ''|*[!0-9]*) return 1 ;; esac
    kill -0 "$pid" 2>/dev/null || return 1
    if [ -r "/proc/$pid/cmdline" ]; then
        tr '\\000' ' ' < "/proc/$pid/cmdline" | grep -q strata- || return 1
    fi
    return 0
}
# kill -0 also succeeds on a zombie: this shell has not reaped a child that already exited.
running() {
    kill -0 "$1" 2>/dev/null || return 1
    [ -r "/proc/$1/stat" ] || return 0
    [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" != Z ]
}
"""


def ssh_argv(node):
    """The ssh command that runs `sh -s` on the node's host; None for a "local" host."""
    if node.is_local:
        return None
    argv = ["ssh"]
    # ssh keeps the first value it sees for an option, so the file's options go first and
    # can override ConnectTimeout; BatchMode is refused in the file and always set here.
    for name, value in node.ssh.options:
        argv += ["-o", f"{name}={value}"]
    argv += ["-o", "BatchMode=yes", "-o", f"ConnectTimeout={CONNECT_TIMEOUT_SECONDS}"]
    if node.ssh.port:
        argv += ["-p", str(node.ssh.port)]
    if node.ssh.identity:
        # ssh expands ~ itself; expanding here too shows the real path in --check.
        argv += ["-i", os.path.expanduser(node.ssh.identity)]
    return argv + [node.host, "sh -s"]


def runner_argv(node):
    """The argv that runs a script on the node's host (ssh, or a local sh)."""
    return ssh_argv(node) or ["sh", "-s"]


def node_argv(node, coordinator, replicas):
    """The command line of the node itself, as it runs on its host."""
    argv = [node.binary, "--listen", node.listen_endpoint, "--data", node.data]
    if node.listen:
        # Bound to another host (a wildcard): register the address the others dial.
        argv += ["--advertise", node.endpoint]
    if node.config:
        argv += ["--config", node.config]
    if node.role == "coordinator":
        argv += ["--replicas", str(replicas)]
    else:
        argv += ["--coordinator", coordinator.endpoint]
    if node.zone:
        argv += ["--set", f"node.zone={node.zone}"]
    for key, value in node.settings:
        argv += ["--set", f"{key}={value}"]
    return argv


def remove_warm_argv(node):
    """The command that gives a stopped worker's warm tier back (its shared memory)."""
    argv = [node.binary, "--data", node.data]
    if node.config:
        argv += ["--config", node.config]
    return argv + ["--remove-warm-tier"]


def _header(node):
    return (
        f"binary={shlex.quote(node.binary)}\n"
        f"data={shlex.quote(node.data)}\n"
        f'pid_file="$data/node.pid"\n'
        f'log_file="$data/node.log"\n'
        + _ALIVE
    )


def preflight_script(node):
    """Checks, changing nothing: the binary runs, the data directory is writable, the node is not running."""
    return _header(node) + f"""
if [ ! -x "$binary" ]; then echo "$binary is missing or not executable"; exit {MISSING_BINARY}; fi
if [ -d "$data" ]; then probe="$data"; else probe=$(dirname "$data"); while [ ! -d "$probe" ]; do probe=$(dirname "$probe"); done; fi
if [ ! -w "$probe" ]; then echo "$data cannot be created or written ($probe is not writable)"; exit {UNWRITABLE_DATA}; fi
if alive; then echo "already running (pid $pid, $pid_file)"; exit {ALREADY_RUNNING}; fi
echo ok
"""


def start_script(node, coordinator, replicas):
    """Starts the node detached from the ssh session (setsid, nohup, stdin from /dev/null),
    records its pid, and checks that it is still up half a second later."""
    command = " ".join(shlex.quote(part) for part in node_argv(node, coordinator, replicas))
    return _header(node) + f"""
mkdir -p "$data" || exit {UNWRITABLE_DATA}
if alive; then echo "already running (pid $pid, $pid_file)"; exit {ALREADY_RUNNING}; fi
detach=""
command -v setsid >/dev/null 2>&1 && detach=setsid
# The working directory is the data directory, so a node never picks up a stray
# config/strata.json from wherever ssh happened to land.
cd "$data"
echo "--- $(date -u '+%Y-%m-%dT%H:%M:%SZ') cluster-up: {command}" >> "$log_file"
$detach nohup {command} >> "$log_file" 2>&1 < /dev/null &
pid=$!
echo "$pid" > "$pid_file"
sleep 0.5
if ! running "$pid"; then
    echo "exited at start; last lines of $log_file:"; tail -n 5 "$log_file"; rm -f "$pid_file"; exit {EXITED_AT_START}
fi
echo "started (pid $pid)"
"""


def stop_script(node, timeout_seconds, remove_warm=True):
    """SIGTERM, wait up to the timeout, SIGKILL if it is still there; one line of report. A
    stopped worker then gives its warm tier's shared memory back (strata-worker
    --remove-warm-tier), unless `remove_warm` is false (cluster-down --keep-warm)."""
    remove = ""
    if remove_warm and node.role == "worker":
        command = " ".join(shlex.quote(part) for part in remove_warm_argv(node))
        remove = f"""
if {command} 2>&1 | grep -q "removed warm tier"; then warm=", warm tier removed"; fi"""
    return _header(node) + f"""
warm=""
finish() {{{remove}
    echo "$1$warm"
}}
if ! alive; then rm -f "$pid_file"; finish "not running"; exit 0; fi
kill -TERM "$pid" 2>/dev/null
waited=0
while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt {timeout_seconds * 10} ]; do sleep 0.1; waited=$((waited + 1)); done
if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null; rm -f "$pid_file"
    waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
    finish "(pid $pid) did not stop within {timeout_seconds}s; sent SIGKILL"; exit 1
fi
rm -f "$pid_file"
finish "stopped"
"""


def state_script(node):
    """Prints `running PID` or `not running`, and the last log line when it is not running."""
    return _header(node) + """
if alive; then echo "running (pid $pid)"; exit 0; fi
if [ -f "$log_file" ]; then echo "not running; last log line: $(tail -n 1 "$log_file")"; else echo "not running"; fi
"""


def log_tail_script(node, lines=5):
    """The last lines of the node's log, for a node that never reported SERVING."""
    return _header(node) + f"""
if alive; then echo "process running (pid $pid); last lines of $log_file:"; else echo "process not running; last lines of $log_file:"; fi
tail -n {lines} "$log_file" 2>/dev/null
"""
