import Foundation
import StrataCore
import Synchronization
import Testing

@testable import StrataSearch

extension SlotVectorIndexTests {
    /// Waits until the namespace's index is ready and not outgrown, without resetting it
    /// (`waitUntilReady` rebuilds an outgrown index from scratch, which would hide what the
    /// rebuilds under writes lost): one more upsert of `poke` starts a pending rebuild.
    static func waitUntilSettled(_ index: SlotSearchIndex, offloads: Bool, poke: () throws -> Void) throws {
        for _ in 0..<30_000 {
            if let built = index.vectorIndexes?.index(of: "n"), built.ready != nil {
                if !built.isOutgrown && (!offloads || index.shardVectorBytes(namespace: "n") == 0) { return }
                if built.isOutgrown { try poke() }
            }
            usleep(10_000)
        }
        Issue.record("ivf index of n not settled: \(index.vectorIndexStatus())")
        throw StrataError(.deadlineExceeded, "not settled")
    }

    /// Two writers fill a namespace from 0 to ~4,500 vectors with the switch at 60: its index
    /// is cut, outgrows its lists and is cut again several times while the writes go on
    /// (journaled during each build, replayed outside the lock, rows dropped and read back
    /// from the store between builds when `offloads`). Once it settles -- left as the
    /// rebuilds made it, not reset -- it holds every vector and, with every list probed,
    /// answers as the exact scan.
    @Test(arguments: [true, false])
    func rebuildsUnderConcurrentWritesKeepEveryVector(offloads: Bool) throws {
        try Self.withDirectory { dir in
            let store = StoredVectorsTestDouble()
            let ivf = Self.ivfIndex(dir, minimumVectors: 60)
            if offloads { ivf.attachStoredVectors(store.lookup) }
            let exact = Self.exactIndex()
            let writers = 2, perWriter = 1_500
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: writers) { w in
                var rng = SplitMix64(seed: 7_000 + UInt64(w))
                for i in 0..<perWriter {
                    let name = "w\(w)d\(i)"
                    let chunks = (0..<Int32(1 + i % 2)).map { Self.storedEntry(name, $0, (0..<Self.dimension).map { _ in rng.gaussian() }) }
                    store.record("n", chunks)
                    do { try Self.upsert([ivf, exact], slot: UInt32((i + w) % 12), name, chunks) } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty)
            var rng = SplitMix64(seed: 99)
            let pokeChunks = [Self.storedEntry("poke", 0, (0..<Self.dimension).map { _ in rng.gaussian() })]
            store.record("n", pokeChunks)
            try Self.waitUntilSettled(ivf, offloads: offloads) { try Self.upsert([ivf, exact], slot: 0, "poke", pokeChunks) }
            let status = ivf.vectorIndexStatus()[0]
            #expect(status.vectors == exact.vectorCount(namespace: "n"), "\(status)")
            try Self.expectSameAnswers(ivf, exact, rng: &rng, modes: [.vector])
            ivf.vectorIndexes!.close()
        }
    }
}
