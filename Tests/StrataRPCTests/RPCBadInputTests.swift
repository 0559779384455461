import Foundation
import StrataRPC
import StrataWire
import Testing

/// Every kind of bad input gets a clear status and the server keeps serving.
@Suite struct RPCBadInputTests {
    @Test func malformedProtobufIsInvalidArgument() async throws {
        let harness = try RPCTestHarness()
        // Field 1, wire type 2, length 100 -- but only 2 bytes follow.
        let error = await #expect(throws: RPCError.self) {
            _ = try await harness.channel.unary(EchoServiceTestDouble.path("Echo"), [0x0A, 100, 0x41, 0x42])
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("malformed") == true)
        #expect(try await harness.stillServes())
    }

    @Test func invalidUTF8InAStringFieldIsInvalidArgument() async throws {
        let harness = try RPCTestHarness()
        let error = await #expect(throws: RPCError.self) {
            _ = try await harness.channel.unary(EchoServiceTestDouble.path("Echo"), [0x0A, 2, 0xC3, 0x28])
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("UTF-8") == true)
        #expect(try await harness.stillServes())
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        let harness = try RPCTestHarness()
        let error = await #expect(throws: RPCError.self) {
            _ = try await harness.channel.unary("/strata.test.Echo/NoSuchMethod", [])
        }
        #expect(error?.code == .unimplemented)
        #expect(try await harness.stillServes())
    }

    @Test func oversizedMessageIsResourceExhausted() async throws {
        let harness = try RPCTestHarness(limits: MessageLimits(maxReceiveBytes: 1024, maxSendBytes: 1024))
        let error = await #expect(throws: RPCError.self) {
            _ = try await harness.echo(String(repeating: "y", count: 4096))
        }
        #expect(error?.code == .resourceExhausted)
        #expect(try await harness.stillServes())
    }

    @Test func expiredDeadlineIsDeadlineExceeded() async throws {
        let harness = try RPCTestHarness()
        let error = await #expect(throws: RPCError.self) {
            _ = try await harness.call("Sleep", "60000", options: CallOptions(timeout: .milliseconds(100)))
        }
        #expect(error?.code == .deadlineExceeded)
        #expect(try await harness.stillServes())
    }

    @Test func handlerErrorsMapToStatusCodes() async throws {
        let harness = try RPCTestHarness()
        for (input, code) in [("not-found", StatusCode.notFound), ("exhausted", .resourceExhausted), ("bad", .invalidArgument)] {
            let error = await #expect(throws: RPCError.self) { _ = try await harness.call("Fail", input) }
            #expect(error?.code == code)
        }
        let error = await #expect(throws: RPCError.self) { _ = try await harness.call("Fail", "not-found") }
        #expect(error?.message == "namespace docs does not exist")
    }

    @Test func clientLeavingMidStreamIsCleanedUp() async throws {
        let harness = try RPCTestHarness()
        var received = 0
        for try await _ in harness.channel.serverStreaming(EchoServiceTestDouble.path("Forever"), HealthCheckRequest().serializedBytes()) {
            received += 1
            if received == 10 { break }  // ends the stream: the client cancels the call
        }
        // The server notices and its handler ends.
        let deadline = ContinuousClock.now + .seconds(300)  // a hang guard: the handler may wait long for a pool thread
        while harness.observations.cancelledStreams == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(harness.observations.cancelledStreams == 1)
        #expect(try await harness.stillServes())
    }

    @Test func unreachableServerIsUnavailable() async throws {
        let channel = RPCChannel(target: "127.0.0.1:1")
        let error = await #expect(throws: RPCError.self) {
            _ = try await channel.unary(EchoServiceTestDouble.path("Echo"), [], options: CallOptions(timeout: .seconds(5)))
        }
        #expect(error?.code == .unavailable)
    }

    @Test func bindingAnAddressInUseFailsClearly() throws {
        let harness = try RPCTestHarness()
        let error = #expect(throws: RPCError.self) {
            _ = try RPCServer(settings: ServerSettings(address: "127.0.0.1:\(harness.server.port)"), services: [])
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("cannot listen") == true)
    }
}
