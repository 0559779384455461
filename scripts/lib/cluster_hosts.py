"""The --hosts side of scripts/cluster-up.sh, cluster-down.sh and cluster-status.sh.

    python3 scripts/lib/cluster_hosts.py up|down|status --hosts FILE [--check] [--bin DIR]
        [--replicas R] [--wait SECONDS] [--timeout SECONDS] [--keep-warm]

Reads the hosts file (hosts_file.py), then runs the scripts of node_commands.py on every host
over ssh (or with a local sh for a host named "local"), and checks health over the network
with the local `strata health`. `--check` validates the file and prints what would run where,
contacting nothing.

Exit codes: 0 done; 1 a node failed (unreachable host, missing binary, not SERVING, did not
stop); 64 bad flags; 65 a malformed hosts file (the message names the key).
"""
import argparse
import os
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hosts_file  # noqa: E402
import node_commands as commands  # noqa: E402

PROGRAMS = {"up": "cluster-up", "down": "cluster-down", "status": "cluster-status"}


def main(argv):
    parser = argparse.ArgumentParser(prog="cluster_hosts.py", add_help=True)
    parser.add_argument("action", choices=sorted(PROGRAMS))
    parser.add_argument("--hosts", required=True)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--bin", default="")
    parser.add_argument("--replicas", type=int)
    parser.add_argument("--wait", type=int, default=60)
    parser.add_argument("--timeout", type=int, default=30)
    parser.add_argument("--keep-warm", action="store_true")
    options = parser.parse_args(argv)
    program = PROGRAMS[options.action]
    try:
        with open(options.hosts, encoding="utf-8") as file:
            text = file.read()
    except OSError as error:
        return fail(program, f"{os.path.abspath(options.hosts)}: cannot read the hosts file ({error.strerror})", 65)
    try:
        cluster = hosts_file.load(text, options.replicas)
    except hosts_file.HostsFileError as error:
        return fail(program, f"{options.hosts}: {error}", 65)
    if options.replicas is not None and not 1 <= options.replicas <= 64:
        return fail(program, "--replicas must be from 1 to 64", 64)
    if options.check:
        print_plan(program, options, cluster)
        return 0
    strata = os.path.join(options.bin, "strata")
    if options.action != "down" and not os.access(strata, os.X_OK):
        return fail(program, f"{strata} is missing: it checks health from this machine (pass --bin DIR)", 64)
    if options.action == "up":
        return up(program, cluster, strata, options.wait)
    if options.action == "down":
        return down(program, cluster, options.timeout, not options.keep_warm)
    return status(program, cluster, strata)


def fail(program, message, code):
    print(f"{program}: {message}", file=sys.stderr)
    return code


# --- running scripts on hosts ---------------------------------------------------------------

class Outcome:
    """What one script did on one host: exit code and its output, stripped."""

    def __init__(self, node, code, output, error):
        self.node, self.code, self.output, self.error = node, code, output.strip(), error.strip()

    @property
    def unreachable(self):
        return self.code == commands.SSH_FAILED and not self.node.is_local

    def describe(self):
        """One line: why it failed, naming the node and its host."""
        where = self.node.host
        if self.unreachable:
            reason = (self.error.splitlines() or ["ssh failed"])[-1]
            return f"{self.node.name}: cannot reach {where} over ssh: {reason}"
        if self.code == commands.MISSING_BINARY:
            return f"{self.node.name}: {self.output} on {where} (set bin in the hosts file)"
        if self.code == commands.EXITED_AT_START:
            return f"{self.node.name} on {where}: {self.output.splitlines()[0]}\n" + "\n".join(
                "    " + line for line in self.output.splitlines()[1:])
        text = self.output or (self.error.splitlines() or [f"exit code {self.code}"])[-1]
        return f"{self.node.name}: {text} on {where}"


def run_script(node, script, timeout):
    try:
        done = subprocess.run(commands.runner_argv(node), input=script, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Outcome(node, 124, "", f"no answer within {timeout}s")
    except OSError as error:
        return Outcome(node, commands.SSH_FAILED, "", f"cannot run {commands.runner_argv(node)[0]}: {error.strerror}")
    return Outcome(node, done.returncode, done.stdout, done.stderr)


def run_everywhere(nodes, make_script, timeout):
    """Runs one script per node, all hosts at once (a slow host does not hold up the rest)."""
    nodes = list(nodes)
    if not nodes:
        return []
    with ThreadPoolExecutor(max_workers=min(16, len(nodes))) as pool:
        return list(pool.map(lambda node: run_script(node, make_script(node), timeout), nodes))


def health(strata, node):
    """SERVING, NOT_SERVING or unreachable, from this machine over grpc.health.v1."""
    done = subprocess.run([strata, "health", node.endpoint, "--timeout", "1"], capture_output=True, text=True)
    return {0: "SERVING", 3: "NOT_SERVING"}.get(done.returncode, "unreachable")


# --- actions --------------------------------------------------------------------------------

def up(program, cluster, strata, wait_seconds):
    # Check every host before starting anything, so one bad host leaves no half-started cluster.
    problems = [o for o in run_everywhere(cluster.nodes, commands.preflight_script, 60) if o.code != 0]
    if problems:
        for outcome in problems:
            print(f"{program}: {outcome.describe()}", file=sys.stderr)
        print(f"{program}: nothing was started", file=sys.stderr)
        return 1
    started, failed = [], []
    # The coordinator first: workers register with it as they start.
    for batch in ((cluster.coordinator,), cluster.workers):
        script = lambda node: commands.start_script(node, cluster.coordinator, cluster.replicas)  # noqa: E731
        for outcome in run_everywhere(batch, script, 60):
            (started if outcome.code == 0 else failed).append(outcome)
        if failed:
            break
    if failed:
        for outcome in failed:
            print(f"{program}: {outcome.describe()}", file=sys.stderr)
        print(f"{program}: stopping the {len(started)} node(s) this run started", file=sys.stderr)
        for outcome in run_everywhere([o.node for o in started], lambda n: commands.stop_script(n, 30), 90):
            print(f"{program}: {outcome.node.name} {outcome.output}", file=sys.stderr)
        return 1
    pending = list(cluster.nodes)
    deadline = time.monotonic() + wait_seconds
    while pending and time.monotonic() < deadline:
        pending = [node for node in pending if health(strata, node) != "SERVING"]
        if pending:
            time.sleep(0.2)
    if pending:
        for outcome in run_everywhere(pending, commands.log_tail_script, 30):
            print(f"{program}: {outcome.node.name} ({outcome.node.endpoint} on {outcome.node.host}) did not report SERVING "
                  f"within {wait_seconds}s; {outcome.output or outcome.error}", file=sys.stderr)
        print(f"{program}: the other nodes are left running; stop them with scripts/cluster-down.sh --hosts FILE", file=sys.stderr)
        return 1
    # Every node serves; now the coordinator's view: every worker registered and serving, every
    # slot with its replicas placed -- the cluster takes a write.
    left = max(1, int(deadline - time.monotonic() + 0.999))
    ready = subprocess.run(
        [strata, "status", "--coordinator", cluster.coordinator.endpoint, "--wait-ready", str(left),
         "--expect-workers", ",".join(node.endpoint for node in cluster.workers)],
        capture_output=True, text=True)
    if ready.returncode != 0:
        reason = (ready.stderr.strip().splitlines() or [f"strata status exited with {ready.returncode}"])[-1]
        print(f"{program}: the cluster could not take a write within {wait_seconds}s: {reason.removeprefix('strata: ')}", file=sys.stderr)
        print(f"{program}: the nodes are left running; stop them with scripts/cluster-down.sh --hosts FILE", file=sys.stderr)
        return 1
    width = max(len(node.name) for node in cluster.nodes) + 2
    endpoint_width = max(len(node.endpoint) for node in cluster.nodes) + 2
    coordinator = cluster.coordinator
    for node in cluster.nodes:
        suffix = f"  (export STRATA_COORDINATOR={node.endpoint})" if node is coordinator else ""
        zone = f"  zone {node.zone}" if node.zone else ""
        print(f"{node.name:<{width}}{node.endpoint:<{endpoint_width}}on {node.host}{zone}{suffix}")
    print("data, pid and log (node.log) in each node's data directory on its host")
    return 0


def down(program, cluster, timeout, remove_warm):
    status = 0
    # Every node at once, as the local cluster-down does: each drains and exits on its own.
    script = lambda node: commands.stop_script(node, timeout, remove_warm)  # noqa: E731
    for outcome in run_everywhere(cluster.nodes, script, timeout + 60):
        if outcome.code == 0:
            print(f"{outcome.node.name} {outcome.output} ({outcome.node.host})")
        elif outcome.code == 1 and outcome.output:
            print(f"{outcome.node.name} {outcome.output} ({outcome.node.host})")
            status = 1
        else:
            print(f"{program}: {outcome.describe()}", file=sys.stderr)
            status = 1
    return status


def status(program, cluster, strata):
    states = run_everywhere(cluster.nodes, commands.state_script, 60)
    rows = [("NODE", "HOST", "ADDRESS", "ZONE", "HEALTH", "PROCESS")]
    healthy = True
    for outcome in states:
        node = outcome.node
        if outcome.code == 0:
            process = outcome.output
        elif outcome.unreachable:
            process = "host unreachable: " + ((outcome.error.splitlines() or ["ssh failed"])[-1])
        else:
            process = outcome.describe()
        serving = health(strata, node)
        healthy = healthy and serving == "SERVING"
        rows.append((node.name, node.host, node.endpoint, node.zone or "-", serving, process))
    widths = [max(len(row[i]) for row in rows) + 2 for i in range(5)]
    for row in rows:
        print("".join(cell.ljust(width) for cell, width in zip(row, widths)) + row[5])
    sys.stdout.flush()
    coordinator = ["--coordinator", cluster.coordinator.endpoint]
    for command in ("status", "nodes"):
        print()
        sys.stdout.flush()
        healthy = subprocess.run([strata, command, *coordinator]).returncode == 0 and healthy
    return 0 if healthy else 1


# --- --check --------------------------------------------------------------------------------

def print_plan(program, options, cluster):
    hosts = sorted({node.host for node in cluster.nodes})
    zones = sorted({node.zone for node in cluster.workers if node.zone})
    zone_text = f", zones {', '.join(zones)}" if zones else ", no zones"
    print(f"{program} --check: {options.hosts} is valid: 1 coordinator and {len(cluster.workers)} worker(s) "
          f"on {len(hosts)} host(s){zone_text}, {cluster.replicas} replica(s) per slot")
    if zones and len(zones) < cluster.replicas:
        print(f"note: {len(zones)} zone(s) for {cluster.replicas} replicas: some slots keep two copies in one zone")
    for node in cluster.nodes:
        zone = f", zone {node.zone}" if node.zone else ""
        role = "" if node.name == node.role else f" ({node.role})"
        print(f"\n{node.name}{role} on {node.host}: serves {node.endpoint}{zone}")
        runner = commands.ssh_argv(node)
        print(f"  via:  {shlex.join(runner) if runner else 'sh -s (this machine, no ssh)'}")
        if options.action == "up":
            print(f"  runs: {shlex.join(commands.node_argv(node, cluster.coordinator, cluster.replicas))}")
            print(f"  pid:  {node.pid_file}   log: {node.log_file}")
        elif options.action == "down":
            print(f"  stops: SIGTERM to the pid in {node.pid_file}, waits up to {options.timeout}s, then SIGKILL")
            if node.role == "worker" and not options.keep_warm:
                print(f"  then: {shlex.join(commands.remove_warm_argv(node))} (--keep-warm keeps the warm tier)")
        else:
            print(f"  reads: {node.pid_file}; health of {node.endpoint} from this machine")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
