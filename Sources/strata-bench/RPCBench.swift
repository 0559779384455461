import ArgumentParser
import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataWire

/// `strata-bench rpc`: unary round trips on loopback -- sequential and with 16 in flight --
/// from Strata's Swift client and from Python grpcio, against the same Strata server; then
/// the cost of TLS: the same calls over plaintext, TLS and mutual TLS (`RPCBench+TLS`).
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc",
        abstract: "Unary round trips on loopback: Swift client vs Python grpcio, sequential and 16 in flight.")

    @Option(help: "Calls per measurement.") var calls: Int = 20_000
    @Option(help: "Calls in flight for the concurrent measurement.") var inFlight: Int = 16
    @Option(help: "Timed runs per measurement (the median run is reported).") var runs: Int = 3
    @Option(help: "Python with grpcio for the peer measurement.") var python: String = ".venv/bin/python"
    @Option(help: "Server completion-queue threads.") var threads: Int = 2
    @Flag(inversion: .prefixedNo, help: "Compare plaintext, TLS and mutual TLS (needs openssl).") var tls = true
    @Option(help: "Messages per server-streaming call (a top-10 answer: header, 10 passages, summary).") var streamMessages: Int = 12
    @Option(help: "Bytes per streamed message.") var streamMessageBytes: Int = 400

    func run() async throws {
        let health = HealthService(services: [])
        health.setAll(.serving)
        let server = try RPCServer(settings: ServerSettings(address: "127.0.0.1:0", completionQueueThreads: threads),
                                   services: [health.definition, Self.burstDefinition()])
        try server.start()
        let target = "127.0.0.1:\(server.port)"
        let request = HealthCheckRequest().serializedBytes()
        let channel = RPCChannel(target: target)
        _ = try channel.unaryBlocking(MethodPath.healthCheck, request)  // connect and warm up

        print("# strata-bench rpc: grpc.health.v1.Health/Check on \(target), \(calls) calls per run, median of \(runs) runs")
        print("# machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; client and server share them\n")

        let swiftSequential = median(try (0..<runs).map { _ in try sequential(channel, request) })
        let swiftConcurrent = try await medianAsync { try await concurrent(channel, request) }
        let streamingCalls = max(1, calls / 4)
        let swiftStreaming = try await medianAsync { try await streaming(channel, calls: streamingCalls) }
        let python = try pythonPeer(target: target)

        print("| client | mode | calls/s | p50 µs | p99 µs | Strata/Python |")
        print("|---|---|---:|---:|---:|---:|")
        row("Swift (Strata)", "sequential", swiftSequential, ratio: python.map { swiftSequential.callsPerSecond / $0.sequential.callsPerSecond })
        row("Swift (Strata)", "\(inFlight) in flight", swiftConcurrent, ratio: python.map { swiftConcurrent.callsPerSecond / $0.concurrent.callsPerSecond })
        if let python {
            row("Python grpcio", "sequential", python.sequential, ratio: nil)
            row("Python grpcio", "\(inFlight) in flight", python.concurrent, ratio: nil)
        } else {
            print("\n(Python grpcio peer skipped: \(self.python) not found; run ./scripts/install-deps.sh)")
        }
        row("Swift (Strata)", "server streaming, \(streamMessages) × \(streamMessageBytes) B, sequential", swiftStreaming, ratio: nil)
        print("\nTargets on a 2-core machine: ≥ 5,000 calls/s sequential, ≥ 12,000 calls/s with 16 in flight (Swift client).")
        await server.shutdown()
        if tls { try await tlsComparison(request: request) }
    }

    func row(_ client: String, _ mode: String, _ s: LatencySummary, ratio: Double?) {
        print("| \(client) | \(mode) | \(format(s.callsPerSecond, 0)) | \(format(s.p50Microseconds, 0)) | \(format(s.p99Microseconds, 0)) | \(ratio.map { format($0, 2) + "×" } ?? "") |")
    }

    func sequential(_ channel: RPCChannel, _ request: [UInt8]) throws -> LatencySummary {
        var latencies = [Double]()
        latencies.reserveCapacity(calls)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<calls {
            let t0 = clock.now
            _ = try channel.unaryBlocking(MethodPath.healthCheck, request)
            latencies.append((clock.now - t0).seconds)
        }
        return LatencySummary(latencies: latencies, seconds: (clock.now - start).seconds)
    }

    func concurrent(_ channel: RPCChannel, _ request: [UInt8]) async throws -> LatencySummary {
        let clock = ContinuousClock()
        let start = clock.now
        let perWorker = calls / inFlight
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    var mine = [Double]()
                    mine.reserveCapacity(perWorker)
                    for _ in 0..<perWorker {
                        let t0 = clock.now
                        _ = try await channel.unary(MethodPath.healthCheck, request)
                        mine.append((clock.now - t0).seconds)
                    }
                    return mine
                }
            }
            var all = [Double]()
            for try await part in group { all += part }
            return all
        }
        return LatencySummary(latencies: latencies, seconds: (clock.now - start).seconds)
    }

    private func medianAsync(_ body: () async throws -> LatencySummary) async throws -> LatencySummary {
        var results = [LatencySummary]()
        for _ in 0..<runs { results.append(try await body()) }
        return median(results)
    }

    func median(_ results: [LatencySummary]) -> LatencySummary {
        results.sorted { $0.callsPerSecond < $1.callsPerSecond }[results.count / 2]
    }

    /// Runs scripts/bench/rpc_client.py against the same server.
    private func pythonPeer(target: String) throws -> (sequential: LatencySummary, concurrent: LatencySummary)? {
        guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["scripts/bench/rpc_client.py", target, String(calls / 2), String(inFlight), String(runs)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: output) as? [String: [String: Double]],
              let seq = object["sequential"], let con = object["concurrent"] else {
            throw ValidationError("the Python peer failed (exit \(process.terminationStatus))")
        }
        func summary(_ d: [String: Double]) -> LatencySummary {
            LatencySummary(calls: Int(d["calls"] ?? 0), seconds: d["seconds"] ?? 1, p50Microseconds: d["p50_us"] ?? 0, p99Microseconds: d["p99_us"] ?? 0)
        }
        return (summary(seq), summary(con))
    }
}
