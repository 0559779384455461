import StrataRPC
import StrataWire

/// A server on a free loopback port with the echo service, and a channel to it.
final class RPCTestHarness: @unchecked Sendable {
    let observations = EchoServiceTestDouble.Observations()
    let server: RPCServer
    let channel: RPCChannel

    init(limits: MessageLimits = .default, grace: Duration = .seconds(2), threads: Int = 2, extra: [ServiceDefinition] = []) throws {
        server = try RPCServer(
            settings: ServerSettings(address: "127.0.0.1:0", completionQueueThreads: threads, limits: limits, shutdownGrace: grace),
            services: [EchoServiceTestDouble.definition(observations)] + extra
        )
        try server.start()
        channel = RPCChannel(target: "127.0.0.1:\(server.port)", limits: MessageLimits(maxReceiveBytes: 64 << 20, maxSendBytes: 64 << 20))
    }

    func echo(_ text: String, options: CallOptions = .default) async throws -> String {
        let bytes = try await channel.unary(EchoServiceTestDouble.path("Echo"), HealthCheckRequest(service: text).serializedBytes(), options: options)
        return try HealthCheckRequest(serializedBytes: bytes).service
    }

    func call(_ method: String, _ text: String, options: CallOptions = .default) async throws -> String {
        let bytes = try await channel.unary(EchoServiceTestDouble.path(method), HealthCheckRequest(service: text).serializedBytes(), options: options)
        return try HealthCheckRequest(serializedBytes: bytes).service
    }

    /// Waits until `count` Sleep calls have reached their handler (no timing guesses).
    func waitForSleeps(_ count: Int) async throws {
        while observations.sleepsStarted < count { try await Task.sleep(for: .milliseconds(5)) }
    }

    /// Still answering correctly (the server survived whatever the test did).
    func stillServes() async throws -> Bool {
        try await echo("alive") == "alive"
    }
}
