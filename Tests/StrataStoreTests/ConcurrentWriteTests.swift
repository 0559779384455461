import Foundation
import StrataCore
import Synchronization
import Testing
@testable import StrataStore

/// Writers on several threads at once (a worker applies each slot's writes on its own RPC
/// thread): the group commit writes their frames and fsyncs outside the lock, so these check
/// that what concurrent writers end with is what the same writes give one at a time, that
/// reads meanwhile see whole batches, and that a refused batch is taken back exactly.
@Suite("Persistent tier: concurrent writers")
struct ConcurrentWriteTests {
    /// Batch `seq` of `slot`: a document with a text of its own and one shared by every slot
    /// (dedup across slots), a short-lived document in namespace "tmp", every 5th batch a
    /// delete of an earlier document, every 40th a drop of "tmp".
    static func batch(slot: UInt32, seq: UInt64) -> SlotWrite {
        var ops: [StoreOperation] = [
            StoreTestData.put("ns", "s\(slot)-d\(seq)", [StoreTestData.text(Int(slot) * 10_000 + Int(seq)), "shared text \(seq % 7)"]),
            StoreTestData.put("tmp", "s\(slot)-t\(seq)", ["tmp \(slot) \(seq)"]),
        ]
        if seq % 5 == 0 { ops.append(.deleteDocument(namespace: "ns", documentID: "s\(slot)-d\(seq - 2)")) }
        if seq % 40 == 0 { ops.append(.dropNamespace(namespace: "tmp")) }
        return SlotWrite(slot: slot, sequence: seq, operations: ops)
    }

    /// Runs `body(0..<count)` on `count` threads of their own and waits for all of them
    /// (`DispatchQueue.concurrentPerform` runs no more at once than there are cores).
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchGroup()
        for i in 0..<count {
            done.enter()
            Thread {
                body(i)
                done.leave()
            }.start()
        }
        done.wait()
    }

    /// Small WAL files, so background flushes and compactions run between the writes.
    static let busySettings = PersistentSettings(walFlushBytes: 48 << 10, compactionMaxSegments: 3)

    @Test("two writers on their own slots, with reads, deletes, drops and forgets between them, end where one writer would")
    func differentSlots() throws {
        let dir = StoreTestData.temporaryDirectory("concurrent")
        let referenceDir = StoreTestData.temporaryDirectory("concurrent-ref")
        defer {
            StoreTestData.removeDirectory(dir)
            StoreTestData.removeDirectory(referenceDir)
        }
        let tier = try PersistentTier.open(directory: dir, settings: Self.busySettings)
        let batches: UInt64 = 120
        let acked = Mutex<[UInt32: UInt64]>([:])
        let failures = Mutex<[String]>([])
        let writersDone = Atomic<Int>(0)
        Self.onThreads(4) { role in
            do {
                switch role {
                case 0, 1:
                    // Writers: slot 0 and slot 1, each batch after the last was acknowledged.
                    let slot = UInt32(role)
                    for seq in 1...batches {
                        #expect(try tier.apply(Self.batch(slot: slot, seq: seq)) == .applied)
                        acked.withLock { $0[slot] = seq }
                    }
                    writersDone.add(1, ordering: .sequentiallyConsistent)
                case 2:
                    // A third slot written and forgotten over and over (a slot moving away and back).
                    repeat {
                        for seq in UInt64(1)...5 { _ = try tier.apply(Self.batch(slot: 2, seq: seq)) }
                        #expect(try tier.forgetSlot(2, ifAtMost: .max) == .forgotten(lastSequence: 5))
                        #expect(tier.lastSequence(of: 2) == 0)
                    } while writersDone.load(ordering: .sequentiallyConsistent) < 2
                    for seq in UInt64(1)...3 { _ = try tier.apply(Self.batch(slot: 2, seq: seq)) }
                default:
                    // A reader: every acknowledged batch is whole, its texts read back verified.
                    repeat {
                        for (slot, last) in acked.withLock({ $0 }) {
                            let seq = UInt64.random(in: 1...last)
                            guard let refs = tier.documentChunks(namespace: "ns", documentID: "s\(slot)-d\(seq)") else {
                                // Only a document a later batch deleted may be missing.
                                #expect((seq + 2) % 5 == 0 && seq + 2 <= tier.lastSequence(of: slot), "s\(slot)-d\(seq) missing")
                                continue
                            }
                            #expect(refs.map(\.hash) == [.of(StoreTestData.text(Int(slot) * 10_000 + Int(seq))), .of("shared text \(seq % 7)")])
                            do {
                                #expect(try refs.map { try tier.read($0).text } == [StoreTestData.text(Int(slot) * 10_000 + Int(seq)), "shared text \(seq % 7)"])
                            } catch let error as StrataError where error.code == .notFound {
                                // Deleted between the two reads; then it is gone for good.
                                #expect((seq + 2) % 5 == 0 && tier.documentChunks(namespace: "ns", documentID: "s\(slot)-d\(seq)") == nil, "\(error)")
                            }
                        }
                    } while writersDone.load(ordering: .sequentiallyConsistent) < 2
                }
            } catch {
                failures.withLock { $0.append("role \(role): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])

        // The same writes one at a time, into a store of their own.
        let reference = try PersistentTier.open(directory: referenceDir, settings: Self.busySettings)
        for seq in 1...batches {
            for slot: UInt32 in [0, 1] { try reference.apply(Self.batch(slot: slot, seq: seq)) }
        }
        for seq in UInt64(1)...3 { try reference.apply(Self.batch(slot: 2, seq: seq)) }
        func compare(_ tier: PersistentTier, _ label: String) throws {
            for slot: UInt32 in [0, 1, 2] {
                #expect(try StoreTestData.dump(tier, slot: slot) == StoreTestData.dump(reference, slot: slot), "\(label): slot \(slot)")
            }
            #expect(tier.slotPositions().mapValues { "\($0.sequence)/\($0.digest)" } == reference.slotPositions().mapValues { "\($0.sequence)/\($0.digest)" }, "\(label)")
            let (a, b) = (tier.detailedStats(), reference.detailedStats())
            #expect(a.documents == b.documents && a.documentChunks == b.documentChunks && a.entries == b.entries && a.tokens == b.tokens, "\(label)")
        }
        try compare(tier, "live")
        #expect(tier.detailedStats().flushes > 0)
        tier.close()
        let reopened = try PersistentTier.open(directory: dir, settings: Self.busySettings)
        try compare(reopened, "reopened")
        reopened.close()
        reference.close()
    }

    @Test("two writers racing on one slot: each sequence is applied once or refused as already applied")
    func sameSlot() throws {
        let dir = StoreTestData.temporaryDirectory("concurrent-same")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir, settings: Self.busySettings)
        let next = Mutex<UInt64>(0)
        let outcomes = Mutex<[UInt64: ApplyOutcome]>([:])
        let failures = Mutex<[String]>([])
        Self.onThreads(2) { _ in
            for _ in 0..<100 {
                let seq = next.withLock { $0 += 1; return $0 }
                do {
                    let outcome = try tier.apply(SlotWrite(slot: 4, sequence: seq, operations: [StoreTestData.put("ns", "d\(seq)", [StoreTestData.text(Int(seq))])]))
                    outcomes.withLock { $0[seq] = outcome }
                } catch {
                    failures.withLock { $0.append("\(seq): \(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let all = outcomes.withLock { $0 }
        #expect(all.count == 200)
        let applied = all.filter { $0.value == .applied }.keys
        for check in [tier, nil] {
            let t = try check ?? PersistentTier.open(directory: dir, settings: Self.busySettings)
            #expect(t.lastSequence(of: 4) == applied.max())
            for (seq, outcome) in all {
                let refs = t.documentChunks(namespace: "ns", documentID: "d\(seq)")
                if outcome == .applied {
                    #expect(try refs.map { try $0.map { try t.read($0).text } } == [StoreTestData.text(Int(seq))], "d\(seq)")
                } else {
                    #expect(refs == nil, "d\(seq) was refused as already applied but is stored")
                }
            }
            t.close()
        }
    }

    /// Batch `seq` of the wide test below: `documents` documents of 4 chunks of 1 KB, so a
    /// writer still validates and encodes its batch while another's group is written.
    static func wideBatch(slot: UInt32, seq: UInt64, documents: Int = 16) -> SlotWrite {
        SlotWrite(slot: slot, sequence: seq, operations: (0..<documents).map { d in
            StoreTestData.put("wide", "s\(slot)-q\(seq)-d\(d)", (0..<4).map { c in wideText(slot: slot, seq: seq, document: d, chunk: c) })
        })
    }

    static func wideText(slot: UInt32, seq: UInt64, document: Int, chunk: Int) -> String {
        StoreTestData.text(Int(slot) * 1_000_000 + Int(seq) * 1000 + document * 10 + chunk, length: 1000)
    }

    /// Group commits form as writers happen to arrive: a leader takes what is queued and
    /// does not wait for writers still encoding, so groups of one, two or three writers of
    /// the same and of different slots alternate. Whatever formed, every acknowledged batch
    /// is whole after a stop without close (the WAL replayed), and a batch refused as
    /// already applied left nothing.
    @Test("writers racing on one slot and writers on their own slots: after a stop without close every acknowledged batch is whole")
    func sharedAndOwnSlotsReopen() throws {
        let dir = StoreTestData.temporaryDirectory("concurrent-wide")
        defer { StoreTestData.removeDirectory(dir) }
        // Inline maintenance: flushes run in the writer that crosses the threshold, so nothing
        // of the first store still runs when the second opens the directory.
        let settings = PersistentSettings(walFlushBytes: 1 << 20, compactionMaxSegments: 3, backgroundMaintenance: false)
        let store = try PersistentTier.open(directory: dir, settings: settings)
        let shared: UInt32 = 9
        let next = Mutex<UInt64>(0)
        let sharedOutcomes = Mutex<[UInt64: ApplyOutcome]>([:])
        let acked = Mutex<[UInt32: UInt64]>([:])
        let failures = Mutex<[String]>([])
        Self.onThreads(4) { role in
            do {
                if role < 2 {
                    // Two writers take sequence numbers of one slot from a counter: a batch that
                    // arrives after a higher one of the slot is refused as already applied.
                    for _ in 0..<30 {
                        let seq = next.withLock { $0 += 1; return $0 }
                        let outcome = try store.apply(Self.wideBatch(slot: shared, seq: seq, documents: 8))
                        sharedOutcomes.withLock { $0[seq] = outcome }
                    }
                } else {
                    let slot = UInt32(role)
                    for seq in UInt64(1)...30 {
                        #expect(try store.apply(Self.wideBatch(slot: slot, seq: seq)) == .applied)
                        acked.withLock { $0[slot] = seq }
                    }
                }
            } catch {
                failures.withLock { $0.append("role \(role): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(store.detailedStats().flushes > 0)
        // No close() (it would flush the WAL into a segment): a stop as after SIGKILL.
        let reopened = try PersistentTier.open(directory: dir, settings: settings)
        defer { reopened.close() }
        func expectWhole(slot: UInt32, seq: UInt64, documents: Int) throws {
            for d in 0..<documents {
                let refs = reopened.documentChunks(namespace: "wide", documentID: "s\(slot)-q\(seq)-d\(d)")
                let texts = try refs.map { try $0.map { try reopened.read($0).text } }
                #expect(texts == (0..<4).map { Self.wideText(slot: slot, seq: seq, document: d, chunk: $0) }, "s\(slot)-q\(seq)-d\(d)")
            }
        }
        for (slot, last) in acked.withLock({ $0 }) {
            #expect(reopened.lastSequence(of: slot) == last, "slot \(slot)")
            for seq in 1...last { try expectWhole(slot: slot, seq: seq, documents: 16) }
        }
        let outcomes = sharedOutcomes.withLock { $0 }
        #expect(outcomes.count == 60)
        #expect(reopened.lastSequence(of: shared) == outcomes.filter { $0.value == .applied }.keys.max())
        for (seq, outcome) in outcomes {
            if outcome == .applied {
                try expectWhole(slot: shared, seq: seq, documents: 8)
            } else {
                #expect(reopened.documentChunks(namespace: "wide", documentID: "s\(shared)-q\(seq)-d0") == nil, "seq \(seq) refused but stored")
            }
        }
    }

    /// A flush rotates the WAL; a batch whose frame went into the old file after the flush
    /// took its snapshot would be neither in the new segment nor in a WAL the next open
    /// replays. Many writers and a tiny WAL make flushes start while frames are in flight.
    @Test("batches acknowledged while flushes rotate the WAL survive a power loss")
    func flushesDuringConcurrentWrites() throws {
        let disk = SimulatedDiskTestDouble(seed: 11)
        disk.syncDelay = .microseconds(300)
        // Inline maintenance: the writer that crosses the threshold flushes, while the others write.
        let settings = PersistentSettings(walFlushBytes: 8 << 10, compactionMaxSegments: 1_000, backgroundMaintenance: false)
        let tier = try PersistentTier.open(directory: "/data", settings: settings, fileSystem: disk)
        let acked = Mutex<[UInt32: UInt64]>([:])
        let failures = Mutex<[String]>([])
        Self.onThreads(4) { w in
            let slot = UInt32(w)
            for seq in UInt64(1)...60 {
                do {
                    try tier.apply(SlotWrite(slot: slot, sequence: seq, operations: [StoreTestData.put("ns", "s\(slot)-\(seq)", [StoreTestData.text(w * 1000 + Int(seq), length: 600)])]))
                    acked.withLock { $0[slot] = seq }
                } catch {
                    failures.withLock { $0.append("\(slot)/\(seq): \(error)") }
                    return
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        // ~144 KB through an 8 KB WAL: about 18 flushes on an idle machine, fewer under load
        // (a flush still running takes what arrives meanwhile); a few are what the test needs.
        #expect(tier.detailedStats().flushes >= 3)
        disk.crash(tornWrites: false)
        let reopened = try PersistentTier.open(directory: "/data", settings: settings, fileSystem: disk)
        defer { reopened.close() }
        for (slot, last) in acked.withLock({ $0 }) {
            #expect(reopened.lastSequence(of: slot) == last, "slot \(slot)")
            for seq in 1...last {
                let refs = reopened.documentChunks(namespace: "ns", documentID: "s\(slot)-\(seq)")
                #expect(try refs.map { try $0.map { try reopened.read($0).text } } == [StoreTestData.text(Int(slot) * 1000 + Int(seq), length: 600)], "s\(slot)-\(seq) lost")
            }
        }
    }

    @Test("a full disk under concurrent writers refuses whole batches, takes their sequences back and loses nothing acknowledged")
    func fullDiskConcurrent() throws {
        let disk = SimulatedDiskTestDouble(seed: 7)
        let settings = PersistentSettings(walFlushBytes: 1 << 30)
        let tier = try PersistentTier.open(directory: "/data", settings: settings, fileSystem: disk)
        for slot: UInt32 in [0, 1] { try tier.apply(SlotWrite(slot: slot, sequence: 1, operations: [StoreTestData.put("ns", "s\(slot)-1", [StoreTestData.noise(Int(slot), length: 500)])])) }
        disk.capacityBytes = disk.allPaths().compactMap(disk.fileSize).reduce(0, +) + 40_000
        let acked = Mutex<[UInt32: Set<UInt64>]>([0: [1], 1: [1]])
        let refused = Mutex<[UInt32: Set<UInt64>]>([:])
        Self.onThreads(2) { w in
            let slot = UInt32(w)
            var seq: UInt64 = 2
            var errors = 0
            // Sequences go on after a refusal, so the refused ones stay refused.
            while errors < 3 {
                let text = StoreTestData.noise(Int(slot) * 1000 + Int(seq), length: 1500)
                do {
                    #expect(try tier.apply(SlotWrite(slot: slot, sequence: seq, operations: [StoreTestData.put("ns", "s\(slot)-\(seq)", [text])])) == .applied)
                    acked.withLock { _ = $0[slot, default: []].insert(seq) }
                } catch {
                    #expect((error as? StrataError)?.code == .resourceExhausted, "\(error)")
                    refused.withLock { _ = $0[slot, default: []].insert(seq) }
                    errors += 1
                }
                seq += 1
            }
        }
        disk.capacityBytes = nil
        let refusedNow = refused.withLock { $0 }
        #expect(refusedNow.values.allSatisfy { $0.count == 3 })
        // The last refused sequence of each slot was taken back: written again it applies.
        for slot: UInt32 in [0, 1] {
            let retry = refusedNow[slot]!.max()!
            let accepted = acked.withLock { $0[slot]!.filter { $0 > retry } }
            if accepted.isEmpty {
                #expect(try tier.apply(SlotWrite(slot: slot, sequence: retry, operations: [StoreTestData.put("ns", "s\(slot)-\(retry)", ["retried"])])) == .applied)
                acked.withLock { _ = $0[slot]!.insert(retry) }
                refused.withLock { _ = $0[slot]!.remove(retry) }
            }
        }
        disk.crash(tornWrites: true)
        let reopened = try PersistentTier.open(directory: "/data", settings: settings, fileSystem: disk)
        defer { reopened.close() }
        for slot: UInt32 in [0, 1] {
            for seq in acked.withLock({ $0[slot]! }) {
                #expect(reopened.documentChunks(namespace: "ns", documentID: "s\(slot)-\(seq)") != nil, "acknowledged s\(slot)-\(seq) lost")
            }
            for seq in refused.withLock({ $0[slot] ?? [] }) {
                #expect(reopened.documentChunks(namespace: "ns", documentID: "s\(slot)-\(seq)") == nil, "refused s\(slot)-\(seq) is stored")
            }
            #expect(reopened.lastSequence(of: slot) == acked.withLock { $0[slot]!.max()! })
        }
    }
}
