@testable import StrataNode
import StrataRPC
import StrataWire
import Testing

@Suite struct HealthServiceTests {
    /// The health service alone on a free loopback port, and a channel to it.
    private struct Served {
        let server: RPCServer
        let channel: RPCChannel

        init(_ health: HealthService) throws {
            server = try RPCServer(settings: ServerSettings(address: "127.0.0.1:0", completionQueueThreads: 2, shutdownGrace: .seconds(2)),
                                   services: [health.definition])
            try server.start()
            channel = RPCChannel(target: "127.0.0.1:\(server.port)")
        }
    }

    private func check(_ channel: RPCChannel, _ service: String) async throws -> ServingStatus {
        try HealthCheckResponse(serializedBytes: try await channel.unary(
            MethodPath.healthCheck, HealthCheckRequest(service: service).serializedBytes())).status
    }

    @Test func checkAnswersPerServiceAndRefusesUnknownOnes() async throws {
        let health = HealthService(services: ["strata.v1.Worker"])
        let harness = try Served(health)
        #expect(try await check(harness.channel, "") == .notServing)
        health.setStatus(.serving, for: "strata.v1.Worker")
        #expect(try await check(harness.channel, "strata.v1.Worker") == .serving)
        #expect(try await check(harness.channel, "") == .notServing)
        let error = await #expect(throws: RPCError.self) { _ = try await check(harness.channel, "strata.v1.Nope") }
        #expect(error?.code == .notFound)
    }

    @Test func watchStreamsTheCurrentStatusThenEveryChange() async throws {
        let health = HealthService(services: ["strata.v1.Worker"])
        let harness = try Served(health)
        var statuses: [ServingStatus] = []
        for try await bytes in harness.channel.serverStreaming(
            MethodPath.healthWatch, HealthCheckRequest(service: "strata.v1.Worker").serializedBytes()) {
            statuses.append(try HealthCheckResponse(serializedBytes: bytes).status)
            switch statuses.count {
            case 1: health.setStatus(.serving, for: "strata.v1.Worker")
            case 2: health.setStatus(.notServing, for: "strata.v1.Worker")
            default: break
            }
            if statuses.count == 3 { break }
        }
        #expect(statuses == [.notServing, .serving, .notServing])
    }

    @Test func watchOfAnUnknownServiceSaysSoAndEndsAtShutdown() async throws {
        let health = HealthService(services: [])
        let harness = try Served(health)
        var statuses: [ServingStatus] = []
        for try await bytes in harness.channel.serverStreaming(
            MethodPath.healthWatch, HealthCheckRequest(service: "strata.v1.Later").serializedBytes()) {
            statuses.append(try HealthCheckResponse(serializedBytes: bytes).status)
            health.close()  // the stream ends instead of hanging a graceful shutdown
        }
        #expect(statuses == [.serviceUnknown])
    }
}
