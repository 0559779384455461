import Foundation
import StrataCore
import Testing

@testable import StrataSearch

/// The worker's IVF indexes (`SlotVectorIndexes`) inside `SlotSearchIndex`: past the switch a
/// namespace's vector lists come from its IVF index, which with every list probed answers
/// exactly as the exact scan, follows every write, and rebuilds a list file it cannot trust.
@Suite("IVF in the worker's index")
struct SlotVectorIndexTests {
    static let dimension = 16
    nonisolated(unsafe) static let none: SlotSearchIndex.SlotReader = { _, _, _ throws(StrataError) in }

    /// An index with IVF from `minimumVectors` on, lists of 24, every list probed (unless
    /// `probes` and `probeScale` say otherwise).
    static func ivfIndex(_ directory: String, minimumVectors: Int = 100, cacheBytes: Int = 1 << 30,
                         probes: Int = 1_000_000, probeScale: Double = 0) -> SlotSearchIndex {
        let settings = IVFSettings(minimumVectors: minimumVectors, listSize: 24, probes: probes, probeScale: probeScale, cacheBytes: cacheBytes)
        return SlotSearchIndex(settings: SearchSettings(), defaultTopK: 10, defaultLexicalWeight: 0.5,
                               vectorIndexes: SlotVectorIndexes(settings: settings, directory: directory))
    }

    static func exactIndex() -> SlotSearchIndex { SlotSearchIndex(settings: SearchSettings(), defaultTopK: 10, defaultLexicalWeight: 0.5) }

    static func entry(_ document: String, _ ordinal: Int32, _ vector: [Float]?) -> SlotSearchIndex.Entry {
        (ShardFixtures.chunk(document, ordinal, "text of \(document) \(ordinal)", vector: vector),
         IndexedChunkDetail(provenance: ChunkProvenance(documentID: document, byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1), tokenCount: 4))
    }

    /// Applies the same upsert to every index.
    static func upsert(_ indexes: [SlotSearchIndex], slot: UInt32, _ document: String, _ chunks: [SlotSearchIndex.Entry]) throws {
        for index in indexes { try index.upsert(namespace: "n", slot: slot, documentID: document, chunks: chunks, reader: none) }
    }

    /// Upserts `documents` documents of one or two chunks over 12 slots; returns them by slot.
    @discardableResult
    static func fill(_ indexes: [SlotSearchIndex], documents: Int, rng: inout SplitMix64) throws -> [UInt32: [(String, [SlotSearchIndex.Entry])]] {
        var bySlot: [UInt32: [(String, [SlotSearchIndex.Entry])]] = [:]
        for i in 0..<documents {
            let chunks = (0..<Int32(1 + i % 2)).map { entry("d\(i)", $0, (0..<dimension).map { _ in rng.gaussian() }) }
            try upsert(indexes, slot: UInt32(i % 12), "d\(i)", chunks)
            bySlot[UInt32(i % 12), default: []].append(("d\(i)", chunks))
        }
        return bySlot
    }

    /// Waits (up to 60 s) until the namespace's IVF index is ready.
    /// Waits until the namespace's index is ready and sized for what it holds. A build starts
    /// as soon as a fill crosses the switch, on a thread of its own, so it may have seen part of
    /// the fill; such an index is outgrown once the journal is replayed and would be rebuilt at
    /// the next upsert, in the middle of a test: it is rebuilt here instead.
    static func waitUntilReady(_ index: SlotSearchIndex, namespace: String = "n") throws {
        for _ in 0..<6_000 {
            if let built = index.vectorIndexes?.index(of: namespace), built.ready != nil {
                if !built.isOutgrown { return }
                index.resetVectorIndexes(namespace: namespace)
            }
            usleep(10_000)
        }
        Issue.record("ivf index of \(namespace) not ready: \(index.vectorIndexStatus())")
        throw StrataError(.deadlineExceeded, "not ready")
    }

    /// Writes back the lists changed by writes (held in memory until then), then flips a bit
    /// near the end of every list file of namespace "n".
    static func flipABitInEveryListFile(_ index: SlotSearchIndex) throws {
        try index.vectorIndexes!.index(of: "n")!.ready!.flush()
        let namespaceDirectory = index.vectorIndexes!.directory(of: "n")
        for name in try FileManager.default.contentsOfDirectory(atPath: namespaceDirectory) where name.hasPrefix("ivf-list-") {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: namespaceDirectory + "/" + name))
            bytes[bytes.count - 3] ^= 0x40
            try bytes.write(to: URL(fileURLWithPath: namespaceDirectory + "/" + name))
        }
    }

    static func withDirectory<R>(_ body: (String) throws -> R) throws -> R {
        try IVFTieredIndexTests.withDirectory(body)
    }

    /// Both indexes' answers for the same queries, over all slots and over a subset.
    static func expectSameAnswers(_ ivf: SlotSearchIndex, _ exact: SlotSearchIndex, rng: inout SplitMix64,
                                  modes: [SearchMode] = [.vector, .hybrid]) throws {
        let all = (0..<12).map(UInt32.init)
        for (q, slots) in [all, [1, 4, 7], [11]].enumerated().flatMap({ s in (0..<4).map { ($0, s.1) } }) {
            _ = q
            let vector = (0..<dimension).map { _ in rng.gaussian() }
            for mode in modes {
                let query = SlotQuery(namespace: "n", slots: slots, text: mode == .vector ? "" : "text d3", vector: vector, mode: mode, topK: 10)
                let a = try ivf.search(query)
                let b = try exact.search(query)
                #expect(a.map(\.ref) == b.map(\.ref))
                #expect(a.map(\.vectorScore) == b.map(\.vectorScore))
            }
        }
    }

    @Test func withEveryListProbedTheWorkerAnswersAsTheExactScan() throws {
        try Self.withDirectory { dir in
            var rng = SplitMix64(seed: 1901)
            // Cut at 800 of ~900 vectors: a switch crossed early would make the index outgrow
            // its lists as the rest arrive and be built again, racing the checks below.
            let ivf = Self.ivfIndex(dir, minimumVectors: 800)
            let exact = Self.exactIndex()
            // The switch is crossed after ~530 documents: the rest arrive while the index builds.
            try Self.fill([ivf, exact], documents: 600, rng: &rng)
            try Self.waitUntilReady(ivf)
            let status = ivf.vectorIndexStatus()[0]
            #expect(status.vectors == exact.vectorCount(namespace: "n"))
            #expect(status.counters.lists > 10)
            try Self.expectSameAnswers(ivf, exact, rng: &rng)
            // The answers went through the IVF lists.
            let after = ivf.vectorIndexStatus()[0]
            #expect(after.counters.hits + after.counters.misses > 0)
            // Filters are the exact scan's (same answers either way).
            let filtered = SlotQuery(namespace: "n", slots: (0..<12).map(UInt32.init), vector: (0..<Self.dimension).map { _ in rng.gaussian() },
                                     mode: .vector, topK: 5, documentPrefix: "d1")
            #expect(try ivf.search(filtered).map(\.ref) == exact.search(filtered).map(\.ref))
        }
    }

    /// The worker probes as many lists as `IVFSettings.probes(lists:)` says, not the bare
    /// `probes` count: with one probe and a scale that reaches every list, the answers are the
    /// exact scan's (one probe alone would miss most neighbours of ~37 lists).
    @Test func theProbeCountGrowsWithTheListCount() throws {
        try Self.withDirectory { dir in
            var rng = SplitMix64(seed: 1907)
            let ivf = Self.ivfIndex(dir, minimumVectors: 800, probes: 1, probeScale: 7)
            let exact = Self.exactIndex()
            try Self.fill([ivf, exact], documents: 600, rng: &rng)
            try Self.waitUntilReady(ivf)
            let lists = ivf.vectorIndexStatus()[0].counters.lists
            #expect(lists > 10 && lists <= 49)  // 7 * sqrt(lists) >= lists up to 49 lists
            #expect(ivf.vectorIndexes!.settings.probes(lists: lists) == lists)
            try Self.expectSameAnswers(ivf, exact, rng: &rng)
        }
    }

    @Test func belowTheSwitchThereIsNoIVFIndex() throws {
        try Self.withDirectory { dir in
            var rng = SplitMix64(seed: 3)
            let ivf = Self.ivfIndex(dir, minimumVectors: 10_000)
            try Self.fill([ivf], documents: 200, rng: &rng)
            ivf.startVectorIndexes()
            #expect(ivf.vectorIndexStatus().isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }
    }

    @Test func upsertsDeletesAndSlotDropsAreVisible() throws {
        try Self.withDirectory { dir in
            var rng = SplitMix64(seed: 1902)
            let ivf = Self.ivfIndex(dir, minimumVectors: 400)  // of ~450: not outgrown by the writes below
            let exact = Self.exactIndex()
            try Self.fill([ivf, exact], documents: 300, rng: &rng)
            try Self.waitUntilReady(ivf)
            let target = (0..<Self.dimension).map { _ in rng.gaussian() }
            let top = SlotQuery(namespace: "n", slots: (0..<12).map(UInt32.init), vector: target, mode: .vector, topK: 3)
            // A new document pointing at the query comes first.
            try Self.upsert([ivf, exact], slot: 5, "new", [Self.entry("new", 0, target)])
            #expect(try ivf.search(top).first?.ref.documentID == "new")
            // Replaced by a vector pointing away: no longer first, same answers as the exact scan.
            try Self.upsert([ivf, exact], slot: 5, "new", [Self.entry("new", 0, target.map { -$0 })])
            #expect(try ivf.search(top).first?.ref.documentID != "new")
            try Self.expectSameAnswers(ivf, exact, rng: &rng, modes: [.vector])
            // An existing document moved onto the query, then deleted.
            try Self.upsert([ivf, exact], slot: 3, "d3", [Self.entry("d3", 0, target), Self.entry("d3", 1, nil)])
            #expect(try ivf.search(top).first?.ref.documentID == "d3")
            for index in [ivf, exact] { index.remove(namespace: "n", slot: 3, documentID: "d3") }
            #expect(try ivf.search(top).allSatisfy { $0.ref.documentID != "d3" })
            try Self.expectSameAnswers(ivf, exact, rng: &rng, modes: [.vector])
            // A dropped namespace share and a removed slot leave no hits behind.
            for index in [ivf, exact] { index.dropNamespace("n", slot: 4) }
            for index in [ivf, exact] { index.removeSlot(7) }
            let everything = SlotQuery(namespace: "n", slots: (0..<12).map(UInt32.init), vector: target, mode: .vector, topK: 200)
            #expect(try ivf.search(everything).allSatisfy { $0.detail.provenance.documentID != "" })
            let ids = Set(try ivf.search(everything).map(\.ref.documentID))
            #expect(ids == Set(try exact.search(everything).map(\.ref.documentID)))
            try Self.expectSameAnswers(ivf, exact, rng: &rng, modes: [.vector])
            try Self.waitUntilReady(ivf)  // the deletes may have started a rebuild
            #expect(ivf.vectorIndexStatus()[0].vectors == exact.vectorCount(namespace: "n"))
        }
    }

    @Test func aRestartReusesIntactListFilesAndRebuildsATornOne() throws {
        try Self.withDirectory { dir in
            var rng = SplitMix64(seed: 1903)
            let exact = Self.exactIndex()
            var data = try Self.fill([exact], documents: 400, rng: &rng)
            // A worker's start: shards rebuilt from the store (here: what was written), then
            // its IVF indexes started.
            let reader: SlotSearchIndex.SlotReader = { slot, _, emit throws(StrataError) in
                for (_, chunks) in data[slot] ?? [] { for chunk in chunks { try emit("n", chunk) } }
            }
            func start() throws -> SlotSearchIndex {
                let index = Self.ivfIndex(dir)
                for slot in data.keys { try index.rebuild(slot: slot, namespace: nil, reader: reader) }
                index.startVectorIndexes()
                try Self.waitUntilReady(index)
                return index
            }
            let first = try start()
            // Writes while serving rewrite lists (tombstones, appended rows): a restart must
            // still find them right.
            let moved = (0..<Self.dimension).map { _ in rng.gaussian() }
            try Self.upsert([first, exact], slot: 2, "d2", [Self.entry("d2", 0, moved)])
            for index in [first, exact] { index.remove(namespace: "n", slot: 5, documentID: "d5") }
            // A clean shutdown writes the changed lists back (after a SIGKILL they are stale
            // and rewritten at the next start).
            first.vectorIndexes!.close()
            let namespaceDirectory = first.vectorIndexes!.directory(of: "n")
            func files() throws -> [String: Data] {
                var result: [String: Data] = [:]
                for name in try FileManager.default.contentsOfDirectory(atPath: namespaceDirectory) {
                    result[name] = try Data(contentsOf: URL(fileURLWithPath: namespaceDirectory + "/" + name))
                }
                return result
            }
            let before = try files()
            // A torn list file, as a crash mid-write without the atomic rename would leave.
            let torn = "ivf-list-3.part"
            try before[torn]!.prefix(before[torn]!.count / 2).write(to: URL(fileURLWithPath: namespaceDirectory + "/" + torn))
            // The restarted worker over the same directory.
            data[2] = data[2]!.map { $0.0 == "d2" ? ("d2", [Self.entry("d2", 0, moved)]) : $0 }
            data[5] = data[5]!.filter { $0.0 != "d5" }
            let second = try start()
            let after = try files()
            #expect(Set(after.keys) == Set(before.keys))
            for (name, bytes) in before where name != torn { #expect(after[name] == bytes, "\(name) was rewritten") }
            #expect(after[torn] != nil && after[torn]!.count > before[torn]!.count / 2)
            try Self.expectSameAnswers(second, exact, rng: &rng)
        }
    }

    @Test func aListFileTornWhileServingIsRebuiltOnItsNextRead() throws {
        try Self.withDirectory { dir in
            var rng = SplitMix64(seed: 1904)
            // No memory budget: every list read goes to its file.
            let ivf = Self.ivfIndex(dir, cacheBytes: 0)
            let exact = Self.exactIndex()
            try Self.fill([ivf, exact], documents: 300, rng: &rng)
            try Self.waitUntilReady(ivf)
            try Self.flipABitInEveryListFile(ivf)
            let vector = (0..<Self.dimension).map { _ in rng.gaussian() }
            let query = SlotQuery(namespace: "n", slots: (0..<12).map(UInt32.init), vector: vector, mode: .vector, topK: 10)
            let found = try ivf.search(query)
            let expected = try exact.search(query)
            // Rebuilt lists are re-quantized from the shards' FP16 rows: same chunks, scores to FP16 precision.
            #expect(found.map(\.ref) == expected.map(\.ref))
            for (a, b) in zip(found, expected) { #expect(abs(a.vectorScore - b.vectorScore) < 1e-2) }
            let status = ivf.vectorIndexStatus()[0]
            #expect(status.counters.rebuiltLists == UInt64(status.counters.lists))
            #expect(status.phase == "ready")
        }
    }
}
