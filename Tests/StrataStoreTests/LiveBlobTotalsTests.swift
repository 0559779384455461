import Foundation
import StrataCore
import Testing
@testable import StrataStore

/// `detailedStats` reads maintained counters of the referenced bodies instead of walking every
/// body; after any mix of writes, flushes, compactions and reopens they must equal the walk.
@Suite("Persistent tier: live body counters")
struct LiveBlobTotalsTests {
    /// What `detailedStats` used to compute: a walk over every body with refCount > 0.
    static func walked(_ tier: PersistentTier) -> LiveBlobTotals {
        tier.state.withLock {
            var totals = LiveBlobTotals()
            for entry in tier.locked.index.blobs.values where entry.refCount > 0 { totals.count(entry, sign: 1) }
            return totals
        }
    }

    static func reported(_ tier: PersistentTier) -> LiveBlobTotals {
        let s = tier.detailedStats()
        return LiveBlobTotals(entries: s.entries, tokens: s.tokens, textBytes: s.textBytes)
    }

    @Test("random puts (shared texts), re-puts, deletes and drops keep the counters equal to a walk")
    func randomHistory() throws {
        let dir = StoreTestData.temporaryDirectory("live-blobs")
        defer { StoreTestData.removeDirectory(dir) }
        var tier = try PersistentTier.open(directory: dir)
        var rng = SeededGenerator(seed: 5)
        var sequence: [UInt32: UInt64] = [:]
        for step in 0..<400 {
            let slot = UInt32.random(in: 0..<4, using: &rng)
            sequence[slot, default: 0] += 1
            let namespace = ["a", "b"][Int.random(in: 0..<2, using: &rng)]
            let doc = "d\(Int.random(in: 0..<30, using: &rng))"
            let operation: StoreOperation
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<6:
                // Texts drawn from a small pool, so bodies are shared within and across documents.
                let texts = (0..<Int.random(in: 1...4, using: &rng)).map { _ in StoreTestData.text(Int.random(in: 0..<40, using: &rng)) }
                operation = StoreTestData.put(namespace, doc, texts)
            case 6..<9: operation = .deleteDocument(namespace: namespace, documentID: doc)
            default: operation = .dropNamespace(namespace: namespace)
            }
            try tier.apply(SlotWrite(slot: slot, sequence: sequence[slot]!, operations: [operation]))
            #expect(Self.reported(tier) == Self.walked(tier), "step \(step)")
            if step % 97 == 50 { try tier.flush() }
            if step % 131 == 100 { try tier.compact() }
            if step % 151 == 120 {
                tier.close()
                tier = try PersistentTier.open(directory: dir)
                #expect(Self.reported(tier) == Self.walked(tier), "reopened at step \(step)")
            }
        }
        try tier.compact()
        #expect(Self.reported(tier) == Self.walked(tier))
        #expect(Self.reported(tier).entries > 0)
        tier.close()
    }
}
