import ArgumentParser
import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataWire

/// The cost of TLS, measured: the same unary health checks over plaintext, TLS (server
/// certificate) and mutual TLS (client certificate too, what node-to-node links use), each
/// with its own server on loopback, runs interleaved so that the machine's noise falls on all
/// three alike. Also the time to open a new connection and make its first call (the TLS
/// handshake). Certificates are throw-away ones from `scripts/make-certs.sh`.
extension RPCBench {
    struct Transport {
        let name: String
        let server: RPCServer
        let open: () throws -> RPCChannel
        let channel: RPCChannel
    }

    func tlsComparison(request: [UInt8]) async throws {
        let directory = NSTemporaryDirectory() + "strata-bench-tls-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.makeCertificates(in: directory)
        let health = HealthService(services: [])
        health.setAll(.serving)
        let transports = try makeTransports(directory, health)
        defer { for transport in transports { transport.server.shutdownBlocking() } }
        for transport in transports { _ = try transport.channel.unaryBlocking(MethodPath.healthCheck, request) }

        let handshakes = 200
        print("\n# TLS cost: \(calls) calls per run per transport, \(handshakes) new connections per run, runs interleaved, median of \(runs)\n")
        var sequentialRuns = [[LatencySummary]](repeating: [], count: transports.count)
        var concurrentRuns = sequentialRuns
        var connectionRuns = sequentialRuns
        for _ in 0..<runs {
            for (index, transport) in transports.enumerated() {
                sequentialRuns[index].append(try sequential(transport.channel, request))
                concurrentRuns[index].append(try await concurrent(transport.channel, request))
                connectionRuns[index].append(try newConnections(transport, request, count: handshakes))
            }
        }
        let sequential = sequentialRuns.map(median)
        let concurrent = concurrentRuns.map(median)
        let connections = connectionRuns.map(median)
        print("| transport | mode | calls/s | p50 µs | p99 µs | calls/s vs plaintext |")
        print("|---|---|---:|---:|---:|---:|")
        for (index, transport) in transports.enumerated() {
            row(transport.name, "sequential", sequential[index], ratio: sequential[index].callsPerSecond / sequential[0].callsPerSecond)
            row(transport.name, "\(inFlight) in flight", concurrent[index], ratio: concurrent[index].callsPerSecond / concurrent[0].callsPerSecond)
            row(transport.name, "new connection + call", connections[index], ratio: connections[index].callsPerSecond / connections[0].callsPerSecond)
        }
    }

    private func makeTransports(_ directory: String, _ health: HealthService) throws -> [Transport] {
        let ca = directory + "/ca/ca.pem"
        let serverFiles = TLSFiles(certificateChain: directory + "/server.pem", privateKey: directory + "/server.key", trustedRoots: ca)
        let clientFiles = TLSFiles(certificateChain: directory + "/client.pem", privateKey: directory + "/client.key", trustedRoots: ca)
        let modes: [(String, ServerSecurity, ChannelSecurity)] = [
            ("plaintext", .insecure, .insecure),
            ("TLS", .tls(ServerTLS(files: TLSFiles(certificateChain: serverFiles.certificateChain, privateKey: serverFiles.privateKey))),
             .tls(try ChannelTLS(files: TLSFiles(trustedRoots: ca)))),
            ("mutual TLS", .tls(ServerTLS(files: serverFiles, clientCertificates: .required)), .tls(try ChannelTLS(files: clientFiles))),
        ]
        return try modes.map { name, serverSecurity, channelSecurity in
            let server = try RPCServer(settings: ServerSettings(address: "127.0.0.1:0", completionQueueThreads: threads, security: serverSecurity),
                                       services: [health.definition])
            try server.start()
            let target = "127.0.0.1:\(server.port)"
            let open = { RPCChannel(target: target, security: channelSecurity) }
            return Transport(name: name, server: server, open: open, channel: open())
        }
    }

    /// Opens a channel, makes one call, closes it: connection setup (and the handshake) included.
    private func newConnections(_ transport: Transport, _ request: [UInt8], count: Int) throws -> LatencySummary {
        var latencies = [Double]()
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<count {
            let t0 = clock.now
            let channel = try transport.open()
            _ = try channel.unaryBlocking(MethodPath.healthCheck, request)
            latencies.append((clock.now - t0).seconds)
        }
        return LatencySummary(latencies: latencies, seconds: (clock.now - start).seconds)
    }

    private static func makeCertificates(in directory: String) throws {
        for arguments in [["ca", directory + "/ca"],
                          ["node", directory + "/ca", "strata-coordinator", directory + "/server"],
                          ["node", directory + "/ca", "strata-worker:bench", directory + "/client"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "scripts/make-certs.sh")
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ValidationError("scripts/make-certs.sh \(arguments[0]) failed (run strata-bench from the repository root, with openssl installed)")
            }
        }
    }
}
