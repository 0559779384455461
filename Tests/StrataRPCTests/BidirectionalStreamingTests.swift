import Foundation
import StrataRPC
import StrataTestSupport
import StrataWire
import Testing

@Suite struct BidirectionalStreamingTests {
    private func chat(_ harness: RPCTestHarness) throws -> BidirectionalStreamingCall {
        try harness.channel.bidirectionalStreaming(EchoServiceTestDouble.path("Chat"))
    }

    private func send(_ call: BidirectionalStreamingCall, _ text: String) async throws {
        try await call.send(HealthCheckRequest(service: text).serializedBytes())
    }

    @Test func eachAnswerArrivesWhileTheRequestStreamIsStillOpen() async throws {
        let harness = try RPCTestHarness()
        let call = try chat(harness)
        var responses = call.responses.makeAsyncIterator()
        // Strict alternation: an answer that waited for the half-close would hang here.
        for index in 0..<20 {
            try await send(call, "message-\(index)")
            let answer = try #require(try await responses.next())
            #expect(try HealthCheckRequest(serializedBytes: answer).service == "message-\(index)")
        }
        try await call.closeSend()
        let last = try #require(try await responses.next())
        #expect(try HealthCheckRequest(serializedBytes: last).service == "end")
        #expect(try await responses.next() == nil)
        #expect(try await responses.next() == nil)
    }

    @Test func sendingAndReceivingRunFromTwoTasks() async throws {
        let harness = try RPCTestHarness()
        let call = try chat(harness)
        let reader = Task { () async throws -> [String] in
            var received: [String] = []
            for try await bytes in call.responses { received.append(try HealthCheckRequest(serializedBytes: bytes).service) }
            return received
        }
        for index in 0..<200 { try await send(call, "\(index)") }
        try await call.closeSend()
        #expect(try await reader.value == (0..<200).map(String.init) + ["end"])
    }

    @Test func theServersErrorStatusEndsTheResponses() async throws {
        let harness = try RPCTestHarness()
        let call = try chat(harness)
        try await send(call, "fine")
        try await send(call, "fail")
        var received: [String] = []
        let error = await #expect(throws: RPCError.self) {
            for try await bytes in call.responses { received.append(try HealthCheckRequest(serializedBytes: bytes).service) }
        }
        #expect(received == ["fine"])
        #expect(error?.code == .invalidArgument)
        #expect(error?.message == "field chat is bad")
        // A send after the server ended the call reports the call's status.
        let late = await #expect(throws: RPCError.self) { try await send(call, "late") }
        #expect(late?.code == .invalidArgument)
        #expect(try await harness.stillServes())
    }

    @Test func cancellingTheReadingTaskCancelsTheCall() async throws {
        let harness = try RPCTestHarness()
        let call = try chat(harness)
        let reader = Task { () async throws -> Int in
            var count = 0
            for try await _ in call.responses { count += 1 }
            return count
        }
        try await send(call, "one")
        reader.cancel()
        let error = await #expect(throws: RPCError.self) { try await reader.value }
        #expect(error?.code == .cancelled)
        try await waitFor("the server sees the call cancelled") { harness.observations.cancelledStreams == 1 }
        #expect(try await harness.stillServes())
    }

    @Test func droppingTheCallCancelsItOnTheServer() async throws {
        let harness = try RPCTestHarness()
        do {
            let call = try chat(harness)
            try await send(call, "one")
            var responses = call.responses.makeAsyncIterator()
            _ = try await responses.next()
        }
        try await waitFor("the server sees the call cancelled") { harness.observations.cancelledStreams == 1 }
        #expect(try await harness.stillServes())
    }

    @Test func aDeadlineEndsAnIdleCall() async throws {
        let harness = try RPCTestHarness()
        let call = try harness.channel.bidirectionalStreaming(EchoServiceTestDouble.path("Chat"), options: CallOptions(timeout: .milliseconds(200)))
        let error = await #expect(throws: RPCError.self) {
            for try await _ in call.responses {}
        }
        #expect(error?.code == .deadlineExceeded)
    }
}
