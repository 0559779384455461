import StrataCore
import StrataRPC
import StrataWire
import Testing

/// A handler's error travels with its trailing metadata (e.g. the `strata-leader` a follower
/// names), and every status a Strata server's handler sends carries `strata-answered`, so a
/// client tells "the server answered UNAVAILABLE" from "the server could not be reached"
/// without reading the message.
@Suite struct TrailingMetadataTests {
    static let service: ServiceDefinition = {
        var service = ServiceDefinition(name: "strata.test.Trailers")
        service.unary("Refuse", HealthCheckRequest.self, HealthCheckRequest.self) { _, _ in
            throw StrataError(.unavailable, "not the leader", metadata: ["strata-leader": "10.0.0.9:7400", "x-empty": ""])
        }
        service.serverStreaming("RefuseAfterOne", HealthCheckRequest.self, HealthCheckRequest.self) { _, writer, _ in
            try await writer.send(HealthCheckRequest(service: "first"))
            throw StrataError(.unavailable, "gone on", metadata: ["strata-leader": "10.0.0.8:7400"])
        }
        return service
    }()

    @Test func unaryErrorsCarryTheirTrailers() async throws {
        let harness = try RPCTestHarness(extra: [Self.service])
        for transport in [harness.channel, InProcessChannel(target: "t:1", services: [Self.service])] as [any RPCTransport] {
            let error = await #expect(throws: RPCError.self) {
                _ = try await transport.unary("/strata.test.Trailers/Refuse", HealthCheckRequest(service: "").serializedBytes(), options: .default)
            }
            #expect(error?.code == .unavailable)
            #expect(error?.metadata["strata-leader"] == "10.0.0.9:7400")
            #expect(error?.metadata["x-empty"] == "")
            #expect(error?.answeredByServer == true)
            // A relaying node keeps the handler's trailers (not the transport's own marker).
            let relayed = StrataError(relaying: try #require(error))
            #expect(relayed.metadata == ["strata-leader": "10.0.0.9:7400", "x-empty": ""])
        }
        // A handler error without trailers of its own: answered, no leader named.
        let plain = await #expect(throws: RPCError.self) { _ = try await harness.call("Fail", "not-found") }
        #expect(plain?.answeredByServer == true)
        #expect(plain?.metadata["strata-leader"] == nil)
        #expect(try await harness.stillServes())
    }

    @Test func streamErrorsCarryTheirTrailers() async throws {
        let harness = try RPCTestHarness(extra: [Self.service])
        var received: [String] = []
        let error = await #expect(throws: RPCError.self) {
            for try await bytes in harness.channel.serverStreaming("/strata.test.Trailers/RefuseAfterOne", HealthCheckRequest(service: "").serializedBytes(), options: .default) {
                received.append(try HealthCheckRequest(serializedBytes: bytes).service)
            }
        }
        #expect(received == ["first"])
        #expect(error?.metadata["strata-leader"] == "10.0.0.8:7400")
        #expect(error?.answeredByServer == true)
    }

    @Test func anUnreachableServerIsNotAnAnswer() async throws {
        let channel = RPCChannel(target: "127.0.0.1:1")
        let error = await #expect(throws: RPCError.self) {
            _ = try await channel.unary("/strata.test.Trailers/Refuse", HealthCheckRequest(service: "").serializedBytes(),
                                        options: CallOptions(timeout: .seconds(2)))
        }
        #expect(error?.code == .unavailable)
        #expect(error?.answeredByServer == false)
        #expect(error?.metadata.isEmpty == true)
    }
}
