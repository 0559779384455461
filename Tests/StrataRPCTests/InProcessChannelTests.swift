import Foundation
import StrataRPC
import StrataWire
import Testing

/// The in-process transport runs the same service definitions as the gRPC server, and a
/// caller sees the same answers and statuses through either (`RPCTransport`).
@Suite struct InProcessChannelTests {
    private static func transports() throws -> (grpc: RPCTestHarness, local: InProcessChannel) {
        let harness = try RPCTestHarness()
        let local = InProcessChannel(target: "echo:1", services: [EchoServiceTestDouble.definition(harness.observations)])
        return (harness, local)
    }

    private static func call(_ transport: any RPCTransport, _ method: String, _ text: String, timeout: Duration? = nil) async throws -> String {
        let bytes = try await transport.unary(EchoServiceTestDouble.path(method), HealthCheckRequest(service: text).serializedBytes(),
                                              options: CallOptions(timeout: timeout))
        return try HealthCheckRequest(serializedBytes: bytes).service
    }

    @Test func everyCallShapeAnswersAlikeOverGRPCAndInProcess() async throws {
        let (harness, local) = try Self.transports()
        for transport in [harness.channel as any RPCTransport, local] {
            #expect(try await Self.call(transport, "Echo", "hello") == "hello")
            var counted: [String] = []
            for try await bytes in transport.serverStreaming(EchoServiceTestDouble.path("Count"), HealthCheckRequest(service: "20").serializedBytes(),
                                                              options: .default) {
                counted.append(try HealthCheckRequest(serializedBytes: bytes).service)
            }
            #expect(counted == (0..<20).map(String.init))
            let join = try transport.openClientStream(EchoServiceTestDouble.path("Join"), options: .default)
            for piece in ["a", "b", "c"] { try await join.send(HealthCheckRequest(service: piece).serializedBytes()) }
            #expect(try HealthCheckRequest(serializedBytes: await join.finish()).service == "abc")
        }
    }

    @Test func statusesMapAlike() async throws {
        let (harness, local) = try Self.transports()
        for transport in [harness.channel as any RPCTransport, local] {
            let failed = await #expect(throws: RPCError.self) { _ = try await Self.call(transport, "Fail", "not-found") }
            #expect(failed?.code == .notFound && failed?.message == "namespace docs does not exist")
            let unknown = await #expect(throws: RPCError.self) { _ = try await Self.call(transport, "Nope", "x") }
            #expect(unknown?.code == .unimplemented)
            let late = await #expect(throws: RPCError.self) { _ = try await Self.call(transport, "Sleep", "5000", timeout: .milliseconds(50)) }
            #expect(late?.code == .deadlineExceeded)
        }
    }

    @Test func aConsumerThatStopsEarlyCancelsTheHandler() async throws {
        let (harness, local) = try Self.transports()
        for try await _ in local.serverStreaming(EchoServiceTestDouble.path("Forever"), HealthCheckRequest(service: "").serializedBytes(), options: .default) {
            break
        }
        let giveUp = ContinuousClock.now + .seconds(300)  // a hang guard: the handler may wait long for a pool thread
        while harness.observations.cancelledStreams < 1, ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(5)) }
        #expect(harness.observations.cancelledStreams == 1)
    }

    @Test func badRequestBytesAreInvalidArgument() async throws {
        let (_, local) = try Self.transports()
        let bad = await #expect(throws: RPCError.self) {
            _ = try await local.unary(EchoServiceTestDouble.path("Echo"), [0xFF, 0xFF, 0xFF], options: .default)
        }
        #expect(bad?.code == .invalidArgument)
    }
}

@Suite struct InProcessPeerTests {
    @Test func handlersSeeThePeerTheChannelPresents() async throws {
        let service = EchoServiceTestDouble.definition(EchoServiceTestDouble.Observations())
        let anonymous = InProcessChannel(target: "w1:1", services: [service])
        let certified = InProcessChannel(target: "w1:1", services: [service], peer: .inProcess(certifiedAs: "strata-coordinator"))
        let seenAnonymous = try await TLSTests.whoami(anonymous)
        #expect(seenAnonymous["transport"] == "inProcess" && seenAnonymous["verified_cn"] == "")
        let seenCertified = try await TLSTests.whoami(certified)
        #expect(seenCertified["authenticated"] == "true" && seenCertified["verified_cn"] == "strata-coordinator")
    }
}
