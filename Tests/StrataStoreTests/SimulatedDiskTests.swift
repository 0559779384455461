import Foundation
import StrataCore
import Testing
@testable import StrataStore

@Suite("Simulated disk: full disk, torn writes, bit flips, lost fsyncs")
struct SimulatedDiskTests {
    @Test("a full disk fails writes with resourceExhausted and the store stays readable")
    func fullDisk() throws {
        let disk = SimulatedDiskTestDouble(seed: 1)
        let tier = try PersistentTier.open(directory: "/data", fileSystem: disk)
        try tier.apply(SlotWrite(slot: 0, sequence: 1, operations: [StoreTestData.put("ns", "a", [StoreTestData.text(1)])]))
        try tier.flush()
        try tier.apply(SlotWrite(slot: 0, sequence: 2, operations: [StoreTestData.put("ns", "b", [StoreTestData.text(2)])]))
        let used = disk.allPaths().compactMap(disk.fileSize).reduce(0, +)
        disk.capacityBytes = used + 100
        let big = SlotWrite(slot: 0, sequence: 3, operations: [StoreTestData.put("ns", "c", [StoreTestData.text(3, length: 4000)])])
        let error = #expect(throws: StrataError.self) { try tier.apply(big) }
        #expect(error?.code == .resourceExhausted)
        #expect(error?.message.contains("disk full") == true)
        #expect(throws: StrataError.self) { try tier.flush() }
        // Readable, and nothing of the failed batch is visible.
        #expect(try tier.read(ChunkRef(namespace: "ns", hash: .of(StoreTestData.text(1)))).text == StoreTestData.text(1))
        #expect(try tier.read(ChunkRef(namespace: "ns", hash: .of(StoreTestData.text(2)))).text == StoreTestData.text(2))
        #expect(tier.documentChunks(namespace: "ns", documentID: "c") == nil)
        #expect(tier.lastSequence(of: 0) == 2)
        // Space comes back: the same batch succeeds and survives a crash.
        disk.capacityBytes = nil
        try tier.apply(big)
        disk.crash(tornWrites: true)
        let reopened = try PersistentTier.open(directory: "/data", fileSystem: disk)
        #expect(try reopened.read(ChunkRef(namespace: "ns", hash: .of(StoreTestData.text(3, length: 4000)))).text == StoreTestData.text(3, length: 4000))
        #expect(reopened.lastSequence(of: 0) == 3)
    }

    /// The flush a clean close does, cut by a power loss at each of its fsyncs in turn (new
    /// WAL, segment, manifest, directory): every acknowledged document is there after the
    /// crash, read back byte for byte, whether the WAL or the new segment holds it.
    @Test("a power loss at any fsync of the flush at close loses nothing acknowledged")
    func powerLossDuringCloseFlush() throws {
        let documents = (1...12).map { ("d\($0)", "document \($0) " + StoreTestData.text($0, length: 300 + $0 * 40)) }
        var completed = false
        for cut in 0..<40 where !completed {
            let disk = SimulatedDiskTestDouble(seed: UInt64(cut))
            let tier = try PersistentTier.open(directory: "/data", fileSystem: disk)
            // One segment already, so that the close flush adds a second.
            try tier.apply(SlotWrite(slot: 3, sequence: 1, operations: [StoreTestData.put("ns", "d0", ["flushed before"])]))
            try tier.flush()
            for (i, (doc, text)) in documents.enumerated() {
                try tier.apply(SlotWrite(slot: UInt32(i % 3), sequence: UInt64(i / 3 + 1), operations: [StoreTestData.put("ns", doc, [text])]))
            }
            disk.powerOffAfterSyncs = cut
            tier.close()
            completed = !disk.isPoweredOff
            disk.crash(tornWrites: true)
            let reopened = try PersistentTier.open(directory: "/data", fileSystem: disk)
            defer { reopened.close() }
            for (doc, text) in documents {
                let ref = try #require(reopened.documentChunks(namespace: "ns", documentID: doc)?.first, "cut at fsync \(cut): \(doc) missing")
                #expect(try reopened.read(ref).text == text, "cut at fsync \(cut): \(doc)")
            }
            for slot: UInt32 in 0..<3 { #expect(reopened.lastSequence(of: slot) == 4, "cut at fsync \(cut), slot \(slot)") }
            if completed {
                // The close finished: the next open reads segments only.
                #expect(reopened.recoveryReport.walRecordsReplayed == 0)
                #expect(reopened.recoveryReport.segmentsLoaded == 2)
            }
        }
        #expect(completed, "the close never finished within 40 fsyncs")
    }

    /// Seeded: crashes with torn writes and lost unsynced data at random points, plus bit
    /// flips at rest. Acknowledged data must survive every crash; after a bit flip, every
    /// read either returns exactly the acknowledged bytes or fails with an error.
    @Test("seeded faults: acknowledged data survives crashes, corruption is never served")
    func seededFaults() throws {
        let seed = ProcessInfo.processInfo.environment["STRATA_FAULT_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        print("SimulatedDiskTests.seededFaults seed=\(seed) (rerun with STRATA_FAULT_SEED=\(seed))")
        var rng = SeededGenerator(seed: seed)
        let disk = SimulatedDiskTestDouble(seed: seed ^ 0xFACE)
        let settings = PersistentSettings(walFlushBytes: 6000, compactionMaxSegments: 3, backgroundMaintenance: false)
        var expected: [String: String] = [:]   // document → text (one chunk per document)
        var written: Set<String> = []        // every text ever handed to apply
        var inFlight: [String: String] = [:]  // the unacknowledged batch of a power cut
        var sequence: UInt64 = 0
        var corrupted = false
        var servedChecks = 0, refusedReads = 0, quarantines = 0, tornTails = 0, refusedOpens = 0, powerCuts = 0
        defer { print("seededFaults: \(servedChecks) reads verified, \(refusedReads) refused, \(quarantines) quarantines, \(tornTails) torn tails, \(refusedOpens) refused opens, \(powerCuts) power cuts mid-write, seed=\(seed)") }
        for round in 0..<40 {
            let tier: PersistentTier
            do {
                tier = try PersistentTier.open(directory: "/data", settings: settings, fileSystem: disk)
            } catch {
                // Only a bit flip may make open refuse, and it must say why; the operator
                // then moves the damaged WAL aside and the store opens without it.
                #expect(corrupted, "round \(round): open failed without corruption: \(error) seed=\(seed)")
                #expect(error.code == .dataLoss)
                refusedOpens += 1
                guard let wal = disk.allPaths().first(where: { error.message.contains($0) }) else { return }
                try disk.remove(wal)
                try disk.syncDirectory("/data")
                continue
            }
            sequence = max(sequence, tier.lastSequence(of: 0))
            quarantines += tier.recoveryReport.quarantined.count
            tornTails += tier.recoveryReport.tornTails.count
            for (doc, text) in expected {
                // A batch cut by the power loss was not acknowledged: it may be there whole, or not at all.
                let candidates = [text] + (inFlight[doc].map { [$0] } ?? [])
                do {
                    guard let ref = tier.documentChunks(namespace: "ns", documentID: doc)?.first else {
                        throw StrataError.notFound("document \(doc) is missing")
                    }
                    let got = try tier.read(ref).text
                    if corrupted {
                        // Damage may roll a document back (a WAL moved aside, a segment
                        // quarantined), but what is served must be bytes that were written for it.
                        #expect(written.contains(got) && got.hasPrefix("\(doc) v"), "round \(round): \(doc) served bytes never written, seed=\(seed)")
                    } else {
                        #expect(candidates.contains(got), "round \(round): \(doc) served a wrong version, seed=\(seed)")
                    }
                    expected[doc] = got
                    servedChecks += 1
                } catch {
                    refusedReads += 1
                    #expect(corrupted, "round \(round): acknowledged \(doc) lost without corruption: \(error) seed=\(seed)")
                }
            }
            inFlight = [:]
            // Half the rounds lose power during a write: that batch is not acknowledged and its
            // unsynced bytes are torn by the crash.
            if Bool.random(using: &rng) { disk.powerOffAfterSyncs = Int.random(in: 0...12, using: &rng) }
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                sequence += 1
                let doc = "d\(Int.random(in: 0..<30, using: &rng))"
                let text = "\(doc) v\(sequence) " + StoreTestData.text(Int(sequence), length: Int.random(in: 50...900, using: &rng))
                written.insert(text)
                do {
                    try tier.apply(SlotWrite(slot: 0, sequence: sequence, operations: [StoreTestData.put("ns", doc, [text])]))
                    expected[doc] = text
                } catch {
                    if disk.isPoweredOff {
                        inFlight[doc] = text
                        powerCuts += 1
                        break
                    }
                    #expect(corrupted, "write failed on a healthy disk: \(error) seed=\(seed)")
                }
            }
            disk.powerOffAfterSyncs = nil
            if round % 7 == 6 {
                let victims = disk.allPaths().filter { $0.hasSuffix(".seg") || $0.hasSuffix(".log") }
                if let victim = victims.randomElement(using: &rng), disk.flipBit(victim) != nil {
                    // Corruption may take acknowledged data with it; from here on only
                    // "never served wrong" is checked.
                    corrupted = true
                }
            }
            disk.crash(tornWrites: true)
        }
    }
}
