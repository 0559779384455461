import Foundation
import StrataCore
import StrataRPC
import StrataWire
import Synchronization
import Testing

@Suite struct RPCCallShapeTests {
    @Test func unaryRoundTripAsyncAndBlocking() async throws {
        let harness = try RPCTestHarness()
        #expect(try await harness.echo("hello") == "hello")
        // A blocking call belongs on a thread of its own, not on Swift's cooperative pool.
        let blocking = try await onOwnThread {
            try harness.channel.unaryBlocking(EchoServiceTestDouble.path("Echo"), HealthCheckRequest(service: "blocking").serializedBytes())
        }
        #expect(try HealthCheckRequest(serializedBytes: blocking).service == "blocking")
    }

    /// A caller that stops waiting (a hedged read whose other replica answered first) cancels
    /// its task; the call must end at once with CANCELLED instead of running to its deadline.
    @Test func cancellingTheTaskCancelsAUnaryCall() async throws {
        let harness = try RPCTestHarness()
        let call = Task { try await harness.call("Sleep", "60000", options: CallOptions(timeout: .seconds(120))) }
        try await harness.waitForSleeps(1)
        call.cancel()
        let error = await #expect(throws: RPCError.self) { _ = try await call.value }
        #expect(error?.code == .cancelled)
        #expect(try await harness.stillServes())
    }

    @Test func emptyMessagesTravel() async throws {
        let harness = try RPCTestHarness()
        #expect(try await harness.echo("") == "")
    }

    @Test func largeMessageWithinTheLimit() async throws {
        let harness = try RPCTestHarness(limits: MessageLimits(maxReceiveBytes: 8 << 20, maxSendBytes: 8 << 20))
        let big = String(repeating: "x", count: 6 << 20)
        #expect(try await harness.echo(big).count == big.count)
    }

    @Test func requestMetadataReachesTheHandler() async throws {
        let harness = try RPCTestHarness()
        _ = try await harness.echo("m", options: CallOptions(metadata: [(key: "x-strata-test", value: "v42")]))
        #expect(harness.observations.lastMetadata == "v42")
    }

    @Test func serverStreamingDeliversEveryMessageInOrder() async throws {
        let harness = try RPCTestHarness()
        var received: [String] = []
        for try await bytes in harness.channel.serverStreaming(
            EchoServiceTestDouble.path("Count"), HealthCheckRequest(service: "100").serializedBytes()) {
            received.append(try HealthCheckRequest(serializedBytes: bytes).service)
        }
        #expect(received == (0..<100).map(String.init))
    }

    /// Responses are queued behind the send in flight (`ResponseQueue`) and read ahead by
    /// the client (`ServerStreamReader`): many more bytes than the queue's limit, and more
    /// messages than the read-ahead depth, still arrive whole and in order before the status,
    /// also to a consumer slower than the server.
    @Test(arguments: [false, true])
    func serverStreamingBeyondTheSendQueueAndReadAhead(slowConsumer: Bool) async throws {
        let harness = try RPCTestHarness(limits: MessageLimits(maxReceiveBytes: 8 << 20, maxSendBytes: 8 << 20))
        let count = 40, size = 200_000  // 8 MB, eight times the send queue's limit
        var index = 0
        for try await bytes in harness.channel.serverStreaming(
            EchoServiceTestDouble.path("Blocks"), HealthCheckRequest(service: "\(count):\(size)").serializedBytes()) {
            #expect(bytes.count == size)
            #expect(bytes.allSatisfy { $0 == UInt8(index % 251) })
            index += 1
            if slowConsumer { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(index == count)
        #expect(try await harness.stillServes())
    }

    /// A consumer whose task is cancelled ends the call: the server's handler learns that
    /// nobody listens. The stream throws CANCELLED when the task was waiting for a response,
    /// and ends (as Swift's streams do in a cancelled task) when it was between two.
    @Test func cancellingTheConsumerTaskCancelsAServerStream() async throws {
        let harness = try RPCTestHarness()
        let received = Atomic<Int>(0)
        let consumer = Task {
            for try await _ in harness.channel.serverStreaming(EchoServiceTestDouble.path("Forever"), HealthCheckRequest().serializedBytes()) {
                received.add(1, ordering: .relaxed)
            }
        }
        while received.load(ordering: .relaxed) < 3 { try await Task.sleep(for: .milliseconds(5)) }
        consumer.cancel()
        if case .failure(let error) = await consumer.result {
            #expect((error as? RPCError)?.code == .cancelled)
        }
        let deadline = ContinuousClock.now + .seconds(300)  // a hang guard: the handler may wait long for a pool thread
        while harness.observations.cancelledStreams == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(harness.observations.cancelledStreams == 1)
        #expect(try await harness.stillServes())
    }

    @Test func clientStreamingJoinsEveryMessage() async throws {
        let harness = try RPCTestHarness()
        let call = try harness.channel.clientStreaming(EchoServiceTestDouble.path("Join"))
        for index in 0..<50 {
            try await call.send(HealthCheckRequest(service: "\(index % 10)").serializedBytes())
        }
        let answer = try HealthCheckRequest(serializedBytes: try await call.finish())
        #expect(answer.service == String(repeating: "0123456789", count: 5))
    }

    @Test func manyConcurrentCalls() async throws {
        let harness = try RPCTestHarness()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask { try await harness.echo("call-\(index)") == "call-\(index)" }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}

/// Runs blocking work on a new thread and awaits its result.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

@Suite struct ServiceErrorMappingTests {
    /// `mappingErrors` rewrites what every handler of a service throws before it becomes the
    /// status (the coordinator takes file system paths out of client-visible messages with it).
    @Test func everyHandlersErrorPassesThroughTheMapping() async throws {
        var service = ServiceDefinition(name: "strata.test.Mapped")
        service.unary("Fail", HealthCheckRequest.self, HealthCheckRequest.self) { _, _ in
            throw StrataError.resourceExhausted("disk full: write /var/lib/strata/wal/1.wal: No space left on device")
        }
        let mapped = service.mappingErrors { error in
            let status = RPCError(mapping: error)
            return RPCError(status.code, status.message.replacingOccurrences(of: "/var/lib/strata/wal/1.wal", with: "<path>"))
        }
        let harness = try RPCTestHarness(extra: [mapped])
        let error = await #expect(throws: RPCError.self) {
            _ = try await harness.channel.unary("/strata.test.Mapped/Fail", HealthCheckRequest(service: "").serializedBytes())
        }
        #expect(error == RPCError(.resourceExhausted, "disk full: write <path>: No space left on device"))
    }
}
