import StrataCore
import Testing
@testable import StrataStore

@Suite("Tier hierarchy under concurrent use")
struct TierConcurrencyTests {
    typealias F = TierFixtures

    @Test("Concurrent admits, lookups and removes keep every tier consistent")
    func concurrentUse() async throws {
        let segment = F.uniqueSegmentName("concurrent")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(
            hot: F.settings(tokens: 200), warm: F.settings(tokens: 400),
            cold: F.settings(tokens: 800, precision: .float16, eviction: .fifo), segment: segment)
        let wrongReads = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var rng = SeededGenerator(seed: UInt64(worker))
                    var wrong = 0
                    for _ in 0..<2000 {
                        let i = Int.random(in: 0..<300, using: &rng)
                        switch Int.random(in: 0..<10, using: &rng) {
                        case 0..<4: tiers.admit(F.chunk(i))
                        case 4: tiers.remove(F.key(i))
                        default:
                            if let found = tiers.lookup(F.key(i)), found.chunk.text != F.chunk(i).text { wrong += 1 }
                        }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrongReads == 0)
        let stats = tiers.stats()
        #expect(stats.map(\.tokens) == stats.map { $0.entries * 10 })
        #expect(zip(stats.map(\.tokens), [200, 400, 800]).allSatisfy { $0 <= $1 })
        // Every key is in at most one tier.
        let holders = tiers.inspect { t in
            (0..<300).map { i -> Int in
                [t.hot.lookup(F.key(i), refresh: false), t.warm.lookup(F.key(i), refresh: false), t.cold.lookup(F.key(i), refresh: false)]
                    .compactMap { $0 }.count
            }
        }
        #expect(holders.allSatisfy { $0 <= 1 })
        #expect(holders.reduce(0, +) == stats.map(\.entries).reduce(0, +))
    }
}
