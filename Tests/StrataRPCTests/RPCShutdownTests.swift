import Foundation
import StrataRPC
import StrataWire
import Testing

@Suite struct RPCShutdownTests {
    @Test func gracefulShutdownDrainsInFlightCalls() async throws {
        let harness = try RPCTestHarness(grace: .seconds(30))  // generous: a loaded machine may take seconds to finish the 300 ms call
        let slow = Task { try await harness.call("Sleep", "300") }
        try await harness.waitForSleeps(1)  // the call is in flight
        await harness.server.shutdown()
        #expect(try await slow.value == "300")  // finished, not cut off
    }

    @Test func shutdownCancelsCallsThatOutliveTheGracePeriod() async throws {
        let harness = try RPCTestHarness(grace: .milliseconds(200))
        let stuck = Task { try await harness.call("Sleep", "600000") }
        try await harness.waitForSleeps(1)
        let started = ContinuousClock.now
        await harness.server.shutdown()
        // Not a speed check: the handler would sleep ten minutes; shutdown must not wait for it.
        #expect(ContinuousClock.now - started < .seconds(120))
        let error = await #expect(throws: RPCError.self) { _ = try await stuck.value }
        #expect(error?.code == .cancelled || error?.code == .unavailable)
    }

    @Test func newCallsAfterShutdownFail() async throws {
        let harness = try RPCTestHarness()
        #expect(try await harness.stillServes())
        await harness.server.shutdown()
        let error = await #expect(throws: RPCError.self) {
            _ = try await harness.echo("late", options: CallOptions(timeout: .seconds(2)))
        }
        #expect(error != nil)
    }
}
