import StrataCore
import Testing

@testable import StrataCluster

@Suite("LatencyTracker")
struct LatencyTrackerTests {
    @Test("the hedge delay is the worker's recent p95 within the floor and the cap; too few answers give the cap")
    func delay() throws {
        var tracker = LatencyTracker(settings: try .init(percentile: 95, minimumDelayMs: 20, maximumDelayMs: 500))
        #expect(tracker.hedgeDelayMs(for: "w1") == 500)
        for ms in [5.0, 6, 7] { tracker.record("w1", milliseconds: ms) }
        #expect(tracker.hedgeDelayMs(for: "w1") == 500)  // 3 answers say too little
        for index in 1...100 { tracker.record("w1", milliseconds: Double(index)) }  // the window keeps the last 64: 37...100
        #expect(tracker.hedgeDelayMs(for: "w1") == 97)
        for _ in 0..<64 { tracker.record("w2", milliseconds: 1) }
        #expect(tracker.hedgeDelayMs(for: "w2") == 20)  // the floor
        for _ in 0..<64 { tracker.record("w3", milliseconds: 9_000) }
        #expect(tracker.hedgeDelayMs(for: "w3") == 500)  // the cap
        #expect(throws: StrataError.self) { try LatencyTracker.Settings(percentile: 20) }
        #expect(throws: StrataError.self) { try LatencyTracker.Settings(minimumDelayMs: 900, maximumDelayMs: 100) }
    }
}
