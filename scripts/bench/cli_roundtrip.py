#!/usr/bin/env python3
"""`strata query` round trips as a user runs them: a new process per query against a running
local cluster, wall time from exec to exit, for one or more `strata` binaries interleaved (so
an A/B shares the machine's load). Starts the cluster with scripts/cluster-up.sh (its own data
directory and free ports), ingests a few small files, and always stops it and removes the
directory, also on failure.

  cli_roundtrip.py --cluster-bin DIR --cli NAME=PATH [--cli NAME=PATH ...] [--queries N] [--workers W]

Prints one line per binary: p50 / p90 / p99 / min in milliseconds, the median CPU time the
process used (user + system: what the binary itself costs, much less sensitive to the machine's
load than the wall time, which on a busy machine is mostly waiting for a core), the shared
libraries it loads (ldd), and the load average before and after. Standard library only.
"""
import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_base_port(workers):
    """A port P with P..P+workers and P+2000..P+2000+workers free (cluster-up's layout)."""
    for base in range(23000, 60000, 37):
        ports = [base + i for i in range(workers + 1)] + [base + 2000 + i for i in range(workers + 1)]
        ok = True
        for port in ports:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise SystemExit("no free ports")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cluster-bin", required=True, help="folder with strata-coordinator and strata-worker")
    parser.add_argument("--cli", action="append", required=True, help="NAME=PATH of a strata binary; repeatable")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    args = parser.parse_args()
    clis = [tuple(item.split("=", 1)) for item in args.cli]
    data = tempfile.mkdtemp(prefix="strata-cli-roundtrip-")
    base = free_base_port(args.workers)
    address = f"127.0.0.1:{base}"
    cli0 = clis[0][1]
    try:
        subprocess.run([os.path.join(REPO, "scripts/cluster-up.sh"), "--workers", str(args.workers), "--replicas", "1",
                        "--base-port", str(base), "--data", data, "--bin", os.path.abspath(args.cluster_bin)],
                       check=True, stdout=subprocess.DEVNULL)
        docs = os.path.join(data, "docs")
        os.makedirs(docs)
        for i in range(20):
            with open(os.path.join(docs, f"note{i}.md"), "w") as f:
                f.write(f"# Note {i}\n\nThe cache eviction policy of tier {i} keeps hot chunks in memory "
                        f"and spills cold ones to disk; replica {i % 3} serves reads.\n")
        subprocess.run([cli0, "namespace", "create", "roundtrip", "--coordinator", address], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([cli0, "ingest", "-n", "roundtrip", docs, "--coordinator", address], check=True, stdout=subprocess.DEVNULL)
        times = {name: [] for name, _ in clis}
        cpu = {name: [] for name, _ in clis}
        load_before = os.getloadavg()
        command = ["query", "-n", "roundtrip", "--budget", "512", "--coordinator", address, "cache eviction tier"]
        for i in range(args.queries + 5):
            for name, path in (clis if i % 2 == 0 else list(reversed(clis))):
                used_before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([path] + command, check=True, stdout=subprocess.DEVNULL)
                elapsed = time.perf_counter() - start
                used = resource.getrusage(resource.RUSAGE_CHILDREN)
                if i >= 5:  # the first few warm the page cache
                    times[name].append(elapsed * 1000)
                    cpu[name].append((used.ru_utime - used_before.ru_utime + used.ru_stime - used_before.ru_stime) * 1000)
        load_after = os.getloadavg()
        figures = {}
        for name, path in clis:
            libraries = len(subprocess.run(["ldd", path], capture_output=True, text=True).stdout.strip().splitlines())
            t = times[name]
            figures[name] = {"p50_ms": percentile(t, 50), "p90_ms": percentile(t, 90), "p99_ms": percentile(t, 99),
                             "min_ms": min(t), "cpu_p50_ms": percentile(cpu[name], 50), "processes": len(t),
                             "shared_libraries": libraries, "workers": args.workers,
                             "load_average_before": load_before[0], "load_average_after": load_after[0]}
            print(f"{name}: strata query round trip p50 {percentile(t, 50):.1f} ms, p90 {percentile(t, 90):.1f}, "
                  f"p99 {percentile(t, 99):.1f}, min {min(t):.1f}, CPU p50 {percentile(cpu[name], 50):.1f} ms "
                  f"({len(t)} processes); {libraries} shared libraries (ldd)")
        print(f"load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(figures, f, indent=1)
    finally:
        subprocess.run([os.path.join(REPO, "scripts/cluster-down.sh"), "--data", data],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
