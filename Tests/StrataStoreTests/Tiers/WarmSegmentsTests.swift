import Foundation
import StrataCore
import Testing
@testable import StrataStore

/// Warm tiers know their owner: listing them, and reclaiming those whose data directory is
/// gone or names another tier -- never one a process has attached.
@Suite("Warm tier segments: owner, listing, reclaiming orphans")
struct WarmSegmentsTests {
    static let settings = ChunkStoreTests.settings
    typealias Owner = WarmTierOwner

    static func info(_ name: String) -> WarmSegmentInfo? {
        let bare = name.hasPrefix("/") ? String(name.dropFirst()) : name
        return WarmSegments.list(prefix: bare).first { $0.name == bare }
    }

    /// A name prefix of one test's own. Workers started by tests running beside this suite
    /// reclaim every orphan named `strata…` at startup, so a test that makes an orphan and then
    /// judges or reclaims it names its segments outside that prefix and reclaims only its own.
    /// The name carries this test process's pid, so that a later run can remove what a run
    /// killed mid-test left behind (its `defer` never ran; workers never reclaim `warmtest-`).
    static func privatePrefix(_ label: String) -> String {
        _ = leftoversRemoved
        return "warmtest-\(getpid())-\(label)-\(UInt32.random(in: 0...UInt32.max))-"
    }

    /// Once per test process: the segments of earlier test processes that are gone.
    static let leftoversRemoved: [String] = removeLeftovers()

    /// Removes every `/dev/shm/warmtest-<pid>-…` whose process no longer exists; returns their names.
    static func removeLeftovers() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []
        return names.filter { name in
            guard name.hasPrefix("warmtest-"), let pid = Int32(name.dropFirst("warmtest-".count).prefix { $0 != "-" }),
                  kill(pid, 0) != 0, errno == ESRCH else { return false }
            return (try? TierHierarchy.destroySharedMemory(name: name)) != nil
        }
    }

    static func reclaimOwn(_ prefix: String) -> [String] {
        WarmSegments.reclaimOrphans(prefix: prefix).map(\.name)
    }

    @Test("A segment left by a test process that is gone is removed; one of a live process stays")
    func leftoversOfDeadTestProcessesRemoved() throws {
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = "warmtest-\(finished.processIdentifier)-leftover-\(UInt32.random(in: 0...UInt32.max))"
        let live = Self.privatePrefix("live") + "segment"
        for name in [dead, live] {
            let fd = shm_open("/" + name, O_CREAT | O_EXCL | O_RDWR, 0o600)
            try #require(fd >= 0, "shm_open \(name): errno \(errno)")
            close(fd)
        }
        defer { _ = try? TierHierarchy.destroySharedMemory(name: live) }
        _ = Self.removeLeftovers()  // another test process's first call may remove it first: either way it goes
        #expect(!SharedMemoryUse.exists(dead))
        #expect(SharedMemoryUse.exists(live))
    }

    @Test("The ownership rule, row by row")
    func judgeRows() {
        typealias S = WarmSegmentState
        let owner = Owner(directory: "/data/w1/store", node: "worker-1")
        #expect(S.judge(segment: "strata-a", owner: .failure(.init("format version 1")), directoryExists: true, marker: "strata-a")
            == .ownerUnknown(reason: "format version 1"))
        #expect(S.judge(segment: "strata-a", owner: .success(.unknown), directoryExists: false, marker: nil)
            == .ownerUnknown(reason: "no data directory recorded"))
        #expect(S.judge(segment: "strata-a", owner: .success(owner), directoryExists: false, marker: nil)
            == .orphaned(reason: "data directory /data/w1/store is gone"))
        #expect(S.judge(segment: "strata-a", owner: .success(owner), directoryExists: true, marker: nil)
            == .orphaned(reason: "data directory /data/w1/store names no warm tier"))
        #expect(S.judge(segment: "strata-a", owner: .success(owner), directoryExists: true, marker: "strata-b")
            == .orphaned(reason: "data directory /data/w1/store now names warm tier strata-b"))
        #expect(S.judge(segment: "strata-a", owner: .success(owner), directoryExists: true, marker: "strata-a") == .owned)
        #expect(S.judge(segment: "/strata-a", owner: .success(owner), directoryExists: true, marker: "strata-a") == .owned)
    }

    @Test("A store's warm tier records its directory and node; the listing shows it attached, then kept for a warm restart")
    func ownerRecordedAndListed() throws {
        let dir = StoreTestData.temporaryDirectory("owner")
        defer { ChunkStore.destroyWarmTier(directory: dir, settings: Self.settings); StoreTestData.removeDirectory(dir) }
        let store = try ChunkStore.open(directory: dir, settings: Self.settings, node: "worker-owner")
        let open = try #require(Self.info(store.warmSegmentName))
        #expect(open.owner == Owner(directory: dir, node: "worker-owner"))
        #expect(open.attached && open.state == .owned)
        #expect(open.allocatedBytes <= 64 << 10 && open.apparentBytes > 4 << 20)
        #expect(try String(contentsOfFile: dir + "/" + WarmSegments.markerFile, encoding: .utf8) == store.warmSegmentName + "\n")
        store.close()
        let closed = try #require(Self.info(store.warmSegmentName))
        #expect(!closed.attached && closed.state == .owned)
        #expect(WarmSegments.reclaimOrphans(prefix: store.warmSegmentName).isEmpty)
        #expect(SharedMemoryUse.exists(store.warmSegmentName))
    }

    @Test("Deleting a stopped store's directory orphans its warm tier and a reclaim removes it; an attached one stays")
    func reclaimRemovesOrphansOnly() throws {
        let stopped = StoreTestData.temporaryDirectory("orphan")
        let running = StoreTestData.temporaryDirectory("attached")
        let prefix = Self.privatePrefix("reclaim")
        var settings = Self.settings
        settings.warmSegmentName = prefix + "stopped"
        let first = try ChunkStore.open(directory: stopped, settings: settings, node: "worker-a")
        let stoppedName = first.warmSegmentName
        first.close()
        settings.warmSegmentName = prefix + "running"
        let second = try ChunkStore.open(directory: running, settings: settings, node: "worker-b")
        defer {
            second.close()
            try? TierHierarchy.destroySharedMemory(name: prefix + "running")
            try? TierHierarchy.destroySharedMemory(name: prefix + "stopped")
        }
        StoreTestData.removeDirectory(stopped)
        StoreTestData.removeDirectory(running)
        #expect(Self.info(stoppedName)?.state == .orphaned(reason: "data directory \(stopped) is gone"))
        let attached = try #require(Self.info(second.warmSegmentName))
        #expect(attached.attached && attached.state == .orphaned(reason: "data directory \(running) is gone"))

        let reclaimed = Self.reclaimOwn(prefix)
        #expect(reclaimed.contains(stoppedName))
        #expect(!reclaimed.contains(second.warmSegmentName))
        #expect(!SharedMemoryUse.exists(stoppedName))
        #expect(SharedMemoryUse.exists(second.warmSegmentName))
    }

    @Test("A directory that now names another warm tier orphans the old one; the same name after a keep restarts warm")
    func markerNamesTheCurrentTier() throws {
        let dir = StoreTestData.temporaryDirectory("renamed")
        let prefix = Self.privatePrefix("renamed")
        let oldName = prefix + "old"
        let newName = prefix + "new"
        defer {
            try? TierHierarchy.destroySharedMemory(name: oldName)
            try? TierHierarchy.destroySharedMemory(name: newName)
            StoreTestData.removeDirectory(dir)
        }
        var settings = Self.settings
        settings.warmSegmentName = oldName
        do {
            let store = try ChunkStore.open(directory: dir, settings: settings)
            try store.apply(SlotWrite(slot: 1, sequence: 1, operations: [StoreTestData.put("ns", "a", ["kept warm"])]))
            _ = try store.get(ChunkRef(namespace: "ns", hash: .of("kept warm")))
            store.close()
        }
        // Reopened under the same name: a warm restart, the entry validated and served from warm.
        do {
            let store = try ChunkStore.open(directory: dir, settings: settings)
            #expect(store.tiers.warmRecovery == WarmRecoveryReport(start: .reattached, restoredEntries: 1, discardedEntries: 0))
            #expect(try store.get(ChunkRef(namespace: "ns", hash: .of("kept warm"))).tier == .warm)
            store.close()
        }
        settings.warmSegmentName = newName
        let store = try ChunkStore.open(directory: dir, settings: settings)
        store.close()
        #expect(Self.info(oldName)?.state == .orphaned(reason: "data directory \(dir) now names warm tier \(newName)"))
        #expect(Self.info(newName)?.state == .owned)
        let reclaimed = Self.reclaimOwn(prefix)
        #expect(reclaimed.contains(oldName) && !reclaimed.contains(newName))
    }

    @Test("A segment of an older build or without an owner is listed but never reclaimed")
    func unknownOwnersAreLeftAlone() throws {
        let segment = TierFixtures.uniqueSegmentName("noowner")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try TierFixtures.hierarchy(segment: segment)
        tiers.close()
        #expect(Self.info(segment)?.state == .ownerUnknown(reason: "no data directory recorded"))
        #expect(Self.reclaimOwn(segment).isEmpty)
        #expect(SharedMemoryUse.exists(segment))
    }
}
