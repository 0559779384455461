"""A small real cluster for the agent-facing interop tests (MCP, sync, Python client): a coordinator and workers
as child processes on free loopback ports, with the `strata` CLI pointed at it. Stops every process and removes
their data and warm tiers on exit, also when a test fails."""
import json
import os
import signal
import subprocess
import time

from conftest import BIN_DIR, Node, remove_shared_memory, shared_memory_objects

FAST = ["--set", "coordinator.heartbeat_interval_ms=100"]


class AgentCluster:
    def __init__(self, workers=1, replicas=1, coordinator_settings=()):
        self.before = shared_memory_objects()
        self.workers = []
        self.coordinator = Node("strata-coordinator", lambda n: ["--listen", n.address, "--data", n.data + "/c",
                                                                 "--replicas", str(replicas), *FAST, *coordinator_settings])
        try:
            for _ in range(workers):
                self.workers.append(Node("strata-worker", lambda n: ["--listen", n.address, "--data", n.data + "/w",
                                                                     "--coordinator", self.coordinator.address, *FAST]))
            self.wait(lambda s: s["serving"] == workers and "unavailable: 0" in s["text"], "the workers to join")
        except BaseException:
            self.stop()
            raise

    @property
    def address(self):
        return self.coordinator.address

    def strata(self, *args, timeout=120, check=False):
        env = dict(os.environ, STRATA_COORDINATOR=self.address)
        result = subprocess.run([str(BIN_DIR / "strata"), *args], capture_output=True, text=True, env=env, timeout=timeout)
        if check:
            assert result.returncode == 0, f"strata {' '.join(args)}: {result.stderr}"
        return result

    def status(self):
        text = self.strata("status", "--timeout", "5").stdout
        serving = 0
        for line in text.splitlines():
            if line.startswith("workers:"):
                serving = int(line.split()[1])
        return {"text": text, "serving": serving}

    def namespace_status(self, namespace):
        result = self.strata("status", "--namespace", namespace, "--json", check=True)
        return json.loads(result.stdout)

    def wait(self, condition, what, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition(self.status()):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}: {self.status()['text']}")

    def kill_worker(self, index):
        self.workers[index].process.send_signal(signal.SIGKILL)
        self.workers[index].process.wait(timeout=30)

    def stop(self):
        for node in self.workers + [self.coordinator]:
            if node.process.poll() is None:
                node.stop()
        remove_shared_memory(shared_memory_objects() - self.before)
