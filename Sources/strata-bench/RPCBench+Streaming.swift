import Foundation
import StrataRPC
import StrataWire

/// The shape of a coordinator's answer to a top-10 query, without the query: a
/// server-streaming call whose handler sends `streamMessages` small messages (a header, ten
/// passages, a summary) as fast as it can, read to the end by an async client. What it costs
/// beyond a unary round trip is the RPC layer's per-message work on both sides.
extension RPCBench {
    static let burstService = "strata.bench.Burst"

    /// A service streaming `count` messages of `bytes` bytes each ("count:bytes" in the request).
    static func burstDefinition() -> ServiceDefinition {
        var service = ServiceDefinition(name: burstService)
        service.serverStreaming("Stream", HealthCheckRequest.self, HealthCheckRequest.self) { request, writer, _ in
            let parts = request.service.split(separator: ":").compactMap { Int($0) }
            let message = HealthCheckRequest(service: String(repeating: "p", count: parts.count == 2 ? parts[1] : 0))
            for _ in 0..<(parts.first ?? 0) { try await writer.send(message) }
        }
        return service
    }

    /// Sequential server-streaming calls, each read to its end; latency per call.
    func streaming(_ channel: RPCChannel, calls: Int) async throws -> LatencySummary {
        let request = HealthCheckRequest(service: "\(streamMessages):\(streamMessageBytes)").serializedBytes()
        let path = "/\(Self.burstService)/Stream"
        var latencies = [Double]()
        latencies.reserveCapacity(calls)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<calls {
            let t0 = clock.now
            var received = 0
            for try await _ in channel.serverStreaming(path, request) { received += 1 }
            guard received == streamMessages else { throw RPCError(.internal, "streamed \(received) of \(streamMessages) messages") }
            latencies.append((clock.now - t0).seconds)
        }
        return LatencySummary(latencies: latencies, seconds: (clock.now - start).seconds)
    }
}
