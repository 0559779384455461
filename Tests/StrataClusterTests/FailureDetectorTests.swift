import StrataCore
import Testing

@testable import StrataCluster

@Suite("FailureDetector")
struct FailureDetectorTests {
    static func detector() throws -> FailureDetector {
        FailureDetector(settings: try .init(suspectAfterMs: 2_000, deadAfterMs: 5_000))
    }

    @Test("settings come from CoordinatorConfig and bad timeouts are refused")
    func settings() throws {
        let settings = try FailureDetector.Settings(StrataConfig.default.coordinator)
        #expect(settings.suspectAfterMs == 2_000 && settings.deadAfterMs == 5_000)
        #expect(settings.pauseAfterMs == 1_000)  // two heartbeat intervals of 500 ms
        #expect(throws: StrataError.self) { try FailureDetector.Settings(suspectAfterMs: 0, deadAfterMs: 5) }
        #expect(throws: StrataError.self) { try FailureDetector.Settings(suspectAfterMs: 1, deadAfterMs: 5, pauseAfterMs: 0) }
        #expect(
            throws: StrataError.invalidArgument("coordinator.deadAfterMs: 1000 must be >= suspectAfterMs (2000)")
        ) { try FailureDetector.Settings(suspectAfterMs: 2_000, deadAfterMs: 1_000) }
    }

    @Test("live, then suspect, then dead as silence grows")
    func timeouts() throws {
        var detector = try Self.detector()
        #expect(detector.heartbeat(from: "w1", incarnation: 1, now: 0) == [.init(worker: "w1", from: nil, to: .live, incarnation: 1)])
        #expect(detector.tick(now: 1_999).isEmpty)
        #expect(detector.tick(now: 2_000) == [.init(worker: "w1", from: .live, to: .suspect, incarnation: 1)])
        #expect(detector.tick(now: 4_999).isEmpty)
        #expect(detector.tick(now: 5_000) == [.init(worker: "w1", from: .suspect, to: .dead, incarnation: 1)])
        #expect(detector.tick(now: 9_000).isEmpty)
        #expect(detector.state(of: "w1") == .dead)
    }

    @Test("one long gap goes straight from live to dead")
    func straightToDead() throws {
        var detector = try Self.detector()
        _ = detector.heartbeat(from: "w1", incarnation: 1, now: 0)
        #expect(detector.tick(now: 6_000) == [.init(worker: "w1", from: .live, to: .dead, incarnation: 1)])
    }

    @Test("a heartbeat makes a suspect worker live again")
    func suspectRecovers() throws {
        var detector = try Self.detector()
        _ = detector.heartbeat(from: "w1", incarnation: 1, now: 0)
        _ = detector.tick(now: 3_000)
        #expect(detector.heartbeat(from: "w1", incarnation: 1, now: 3_100) == [.init(worker: "w1", from: .suspect, to: .live, incarnation: 1)])
        #expect(detector.tick(now: 5_000).isEmpty)  // the clock restarted at 3_100
        #expect(detector.tick(now: 5_100).map(\.to) == [.suspect])
    }

    @Test("a dead worker that heartbeats again rejoins as live, with the same or a new incarnation")
    func deadRejoins() throws {
        var detector = try Self.detector()
        _ = detector.heartbeat(from: "w1", incarnation: 1, now: 0)
        _ = detector.heartbeat(from: "w2", incarnation: 4, now: 0)
        _ = detector.tick(now: 10_000)
        #expect(detector.heartbeat(from: "w1", incarnation: 1, now: 10_500) == [.init(worker: "w1", from: .dead, to: .live, incarnation: 1)])
        #expect(detector.heartbeat(from: "w2", incarnation: 5, now: 10_500) == [.init(worker: "w2", from: .dead, to: .live, incarnation: 5)])
    }

    @Test("a heartbeat from an older incarnation is ignored; a quick restart is reported")
    func incarnations() throws {
        var detector = try Self.detector()
        _ = detector.heartbeat(from: "w1", incarnation: 3, now: 0)
        #expect(detector.heartbeat(from: "w1", incarnation: 2, now: 1_900).isEmpty)
        #expect(detector.tick(now: 2_000).map(\.to) == [.suspect])  // the stale beat did not count
        _ = detector.heartbeat(from: "w1", incarnation: 3, now: 2_100)
        #expect(detector.heartbeat(from: "w1", incarnation: 4, now: 2_200) == [.init(worker: "w1", from: .live, to: .live, incarnation: 4)])
        #expect(detector.heartbeat(from: "w1", incarnation: 4, now: 2_300).isEmpty)
    }

    @Test("a clock reading that goes backwards counts as no time passed")
    func backwardsClock() throws {
        var detector = try Self.detector()
        _ = detector.heartbeat(from: "w1", incarnation: 1, now: 10_000)
        #expect(detector.tick(now: 0).isEmpty)
    }

    @Test("transitions come sorted by worker id; forget stops tracking")
    func sortedAndForget() throws {
        var detector = try Self.detector()
        for id in ["w3", "w1", "w2"] { _ = detector.heartbeat(from: id, incarnation: 1, now: 0) }
        #expect(detector.tick(now: 2_500).map(\.worker) == ["w1", "w2", "w3"])
        detector.forget("w2")
        #expect(detector.state(of: "w2") == nil)
        #expect(detector.tick(now: 6_000).map(\.worker) == ["w1", "w3"])
    }

    @Test("resuming a persisted map gives every non-dead worker a fresh grace period")
    func resume() throws {
        var map = try ClusterMap(slotCount: 4, replicationFactor: 1)
        try map.register(WorkerRegistration(id: "w1", address: "a:1"))
        try map.register(WorkerRegistration(id: "w1", address: "a:1"))  // a restart: incarnation 2
        try map.register(WorkerRegistration(id: "w2", address: "a:2"))
        map.apply([.init(worker: "w2", from: .live, to: .dead, incarnation: 1)])
        var detector = FailureDetector(settings: try .init(suspectAfterMs: 2_000, deadAfterMs: 5_000), resuming: map, now: 100_000)
        #expect(detector.state(of: "w1") == .live)
        #expect(detector.state(of: "w2") == .dead)
        #expect(detector.tick(now: 101_999).isEmpty)
        #expect(detector.tick(now: 102_000) == [.init(worker: "w1", from: .live, to: .suspect, incarnation: 2)])
    }

    /// A worker the persisted map holds as suspect stays suspect in a resumed detector, so its
    /// next heartbeat turns it live in the map (before, the detector resumed it as live and
    /// the heartbeat changed nothing: the map kept it suspect for good).
    @Test("a worker suspect in the persisted map becomes live in the map at its next heartbeat")
    func resumeSuspect() throws {
        var map = try ClusterMap(slotCount: 4, replicationFactor: 1)
        try map.register(WorkerRegistration(id: "w1", address: "a:1"))
        map.apply([.init(worker: "w1", from: .live, to: .suspect, incarnation: 1)])
        var detector = FailureDetector(settings: try .init(suspectAfterMs: 2_000, deadAfterMs: 5_000), resuming: map, now: 100_000)
        #expect(detector.state(of: "w1") == .suspect)
        map.apply(detector.heartbeat(from: "w1", incarnation: 1, now: 100_050))
        #expect(map.workers["w1"]?.state == .live)
        #expect(detector.tick(now: 102_049).isEmpty)
    }

    static func pauseAware() throws -> FailureDetector {
        FailureDetector(settings: try .init(suspectAfterMs: 2_000, deadAfterMs: 5_000, pauseAfterMs: 1_000))
    }

    /// The coordinator stopped for 10 s (ticks every 500 ms before and after). Its first tick
    /// after the pause runs before the heartbeats that queued up during it: the workers were
    /// silent only because nobody listened, so nothing changes. Without `pauseAfterMs` the
    /// same ticks declare both workers dead.
    @Test("a pause of the coordinator itself does not count as the workers' silence")
    func coordinatorPause() throws {
        for pauseAware in [true, false] {
            var detector = pauseAware ? try Self.pauseAware() : try Self.detector()
            for now in stride(from: UInt64(0), through: 1_000, by: 500) {
                _ = detector.heartbeat(from: "w1", incarnation: 1, now: now)
                _ = detector.heartbeat(from: "w2", incarnation: 1, now: now)
                #expect(detector.tick(now: now).isEmpty)
            }
            let afterPause = detector.tick(now: 11_000)
            if pauseAware {
                #expect(afterPause.isEmpty)
                #expect(detector.heartbeat(from: "w1", incarnation: 1, now: 11_010).isEmpty)
                #expect(detector.heartbeat(from: "w2", incarnation: 1, now: 11_010).isEmpty)
            } else {
                #expect(afterPause.map(\.to) == [.dead, .dead])
            }
        }
    }

    /// Only the part of a late tick's gap beyond `pauseAfterMs` is discounted, and only once:
    /// a worker that really stopped is suspect and dead after the same listening time as
    /// without a pause.
    @Test("a worker that really stopped is still declared dead after a coordinator pause")
    func deadAcrossAPause() throws {
        var detector = try Self.pauseAware()
        _ = detector.heartbeat(from: "w1", incarnation: 1, now: 0)
        #expect(detector.tick(now: 500).isEmpty)
        // Paused from 500 to 10_500: 1_000 of the gap counts, so 1_500 ms of silence so far.
        #expect(detector.tick(now: 10_500).isEmpty)
        #expect(detector.tick(now: 10_999).isEmpty)
        #expect(detector.tick(now: 11_000) == [.init(worker: "w1", from: .live, to: .suspect, incarnation: 1)])
        for now in stride(from: UInt64(11_500), to: 14_000, by: 500) {
            #expect(detector.tick(now: now).isEmpty)
        }
        #expect(detector.tick(now: 14_000) == [.init(worker: "w1", from: .suspect, to: .dead, incarnation: 1)])
    }

    /// A worker first heard after a pause is timed from its own heartbeat: the pause before
    /// it is not subtracted from its later silence.
    @Test("a pause before a worker's last heartbeat does not extend its grace")
    func pauseBeforeTheLastHeartbeat() throws {
        var detector = try Self.pauseAware()
        #expect(detector.tick(now: 0).isEmpty)
        #expect(detector.tick(now: 20_000).isEmpty)  // a pause, nobody registered yet
        _ = detector.heartbeat(from: "w1", incarnation: 1, now: 20_100)
        for now in stride(from: UInt64(20_500), to: 22_100, by: 500) {
            #expect(detector.tick(now: now).isEmpty)
        }
        #expect(detector.tick(now: 22_100) == [.init(worker: "w1", from: .live, to: .suspect, incarnation: 1)])
    }
}
