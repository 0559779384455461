import StrataCore
import StrataRPC
import StrataTestSupport
import StrataWire
import Testing

/// `BlockingRPCChannel` (what `strata query` calls with): the same messages, errors and
/// trailers as `RPCChannel.serverStreaming`, on the calling thread.
@Suite struct BlockingRPCChannelTests {
    private func channel(_ harness: RPCTestHarness) -> BlockingRPCChannel {
        BlockingRPCChannel(target: "127.0.0.1:\(harness.server.port)", limits: MessageLimits(maxReceiveBytes: 64 << 20, maxSendBytes: 64 << 20))
    }

    @Test func deliversEveryMessageInOrderWithTheMetadata() async throws {
        let harness = try RPCTestHarness()
        let received = try await onOwnThread {
            var received: [String] = []
            try channel(harness).serverStreaming(EchoServiceTestDouble.path("Count"), HealthCheckRequest(service: "100").serializedBytes(),
                                                 options: CallOptions(metadata: [(key: "x-strata-test", value: "v7")])) { bytes in
                received.append(try HealthCheckRequest(serializedBytes: bytes).service)
            }
            return received
        }
        #expect(received == (0..<100).map(String.init))
        // An empty stream ends without a message.
        let none = try await onOwnThread {
            var count = 0
            try channel(harness).serverStreaming(EchoServiceTestDouble.path("Count"), HealthCheckRequest(service: "0").serializedBytes()) { _ in count += 1 }
            return count
        }
        #expect(none == 0)
    }

    @Test func aHandlersErrorArrivesWithItsTrailersAfterTheMessagesBeforeIt() async throws {
        let harness = try RPCTestHarness(extra: [TrailingMetadataTests.service])
        let outcome = try await onOwnThread { () -> ([String], RPCError?) in
            var received: [String] = []
            do {
                try channel(harness).serverStreaming("/strata.test.Trailers/RefuseAfterOne", HealthCheckRequest(service: "").serializedBytes()) { bytes in
                    received.append(try HealthCheckRequest(serializedBytes: bytes).service)
                }
                return (received, nil)
            } catch let error as RPCError {
                return (received, error)
            }
        }
        #expect(outcome.0 == ["first"])
        #expect(outcome.1?.code == .unavailable)
        #expect(outcome.1?.message == "gone on")
        #expect(outcome.1?.metadata["strata-leader"] == "10.0.0.8:7400")
    }

    @Test func anUnreachableServerIsUnavailable() async throws {
        let error = try await onOwnThread { () -> RPCError? in
            do {
                // Port 1 on loopback: nothing listens there.
                try BlockingRPCChannel(target: "127.0.0.1:1").serverStreaming(EchoServiceTestDouble.path("Count"), HealthCheckRequest(service: "3").serializedBytes(),
                                                                            options: CallOptions(timeout: .seconds(10))) { _ in }
                return nil
            } catch let error as RPCError {
                return error
            }
        }
        #expect(error?.code == .unavailable)
    }

    /// A receiver that throws stops the call: the server sees the client go, and the error is
    /// the receiver's.
    @Test func aThrowingReceiverCancelsTheCall() async throws {
        struct Enough: Error {}
        let harness = try RPCTestHarness()
        let thrown = try await onOwnThread { () -> Bool in
            do {
                try channel(harness).serverStreaming(EchoServiceTestDouble.path("Forever"), HealthCheckRequest(service: "").serializedBytes()) { _ in throw Enough() }
                return false
            } catch is Enough {
                return true
            }
        }
        #expect(thrown)
        _ = try await waitFor("the server sees the call cancelled") { harness.observations.cancelledStreams == 1 }
        #expect(try await harness.stillServes())
    }
}
