"""`strata-worker --remove-warm-tier`: the warm tier a graceful stop keeps in shared memory for a
fast restart can be given back once the worker is stopped for good, and never while it runs."""
import subprocess

from conftest import BIN_DIR, remove_warm_tiers_under, shared_memory_objects


def remove_warm_tier(data):
    return subprocess.run([str(BIN_DIR / "strata-worker"), "--data", data, "--remove-warm-tier"],
                          capture_output=True, text=True, timeout=30)


def test_remove_warm_tier_only_when_the_worker_is_stopped(worker):
    data = worker.data + "/w"
    running = remove_warm_tier(data)
    assert running.returncode != 0
    assert "attached by a running worker; stop it first" in running.stdout + running.stderr

    assert worker.stop() == 0
    left = {name for name in shared_memory_objects() if name.startswith("strata-")}
    try:
        removed = remove_warm_tier(data)
        assert removed.returncode == 0, removed.stderr
        assert "removed warm tier" in removed.stdout
        name = removed.stdout.split("removed warm tier ")[1].split()[0].lstrip("/")
        assert name in left and name not in shared_memory_objects()
        again = remove_warm_tier(data)
        assert again.returncode == 0 and "no warm tier in shared memory" in again.stdout
    finally:
        remove_warm_tiers_under(worker.data)
