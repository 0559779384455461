"""Python grpcio peer of `strata-bench rpc`: unary Health/Check round trips against a Strata
server, sequential and with N in flight (futures on one channel). Prints JSON medians."""
import json
import statistics
import sys
import threading
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def percentile(sorted_values, fraction):
    return sorted_values[min(len(sorted_values) - 1, round((len(sorted_values) - 1) * fraction))]


def summary(latencies, seconds):
    latencies.sort()
    return {"calls": len(latencies), "seconds": seconds, "p50_us": percentile(latencies, 0.5) * 1e6, "p99_us": percentile(latencies, 0.99) * 1e6}


def sequential(stub, calls):
    request = health_pb2.HealthCheckRequest()
    latencies = []
    start = time.perf_counter()
    for _ in range(calls):
        t0 = time.perf_counter()
        stub.Check(request)
        latencies.append(time.perf_counter() - t0)
    return summary(latencies, time.perf_counter() - start)


def concurrent(stub, calls, in_flight):
    request = health_pb2.HealthCheckRequest()
    latencies = []
    lock = threading.Lock()
    remaining = [calls]
    done = threading.Event()
    active = [in_flight]

    def launch():
        with lock:
            if remaining[0] == 0:
                active[0] -= 1
                if active[0] == 0:
                    done.set()
                return
            remaining[0] -= 1
        t0 = time.perf_counter()
        future = stub.Check.future(request)
        future.add_done_callback(lambda f, t0=t0: finished(f, t0))

    def finished(future, t0):
        future.result()
        with lock:
            latencies.append(time.perf_counter() - t0)
        launch()

    start = time.perf_counter()
    for _ in range(in_flight):
        launch()
    done.wait()
    return summary(latencies, time.perf_counter() - start)


def main():
    target, calls, in_flight, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        stub.Check(health_pb2.HealthCheckRequest())
        seq = [sequential(stub, calls) for _ in range(runs)]
        con = [concurrent(stub, calls, in_flight) for _ in range(runs)]
    median = lambda runs_: sorted(runs_, key=lambda r: r["calls"] / r["seconds"])[len(runs_) // 2]
    print(json.dumps({"sequential": median(seq), "concurrent": median(con)}))


if __name__ == "__main__":
    main()
