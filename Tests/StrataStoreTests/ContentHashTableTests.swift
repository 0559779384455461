import StrataCore
import Testing
@testable import StrataStore

@Suite("ContentHashTable")
struct ContentHashTableTests {
    /// xorshift64, so a failing seed reproduces.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
    }

    static func key(_ i: Int) -> ContentHash { ContentHash.of("key \(i)") }

    @Test("insert, lookup, replace, delete")
    func basics() {
        var t = ContentHashTable<Int>()
        #expect(t.isEmpty)
        #expect(t[Self.key(1)] == nil)
        t[Self.key(1)] = 10
        t[Self.key(2)] = 20
        #expect(t.count == 2)
        #expect(t[Self.key(1)] == 10)
        let replaced = t.updateValue(11, forKey: Self.key(1))
        #expect(replaced == 10)
        #expect(t[Self.key(1)] == 11)
        #expect(t.count == 2)
        t[Self.key(1)]? += 5
        #expect(t[Self.key(1)] == 16)
        t[Self.key(3)]? += 5   // absent: optional chaining inserts nothing
        #expect(t[Self.key(3)] == nil)
        #expect(t.count == 2)
        let removed = t.removeValue(forKey: Self.key(1))
        let removedAgain = t.removeValue(forKey: Self.key(1))
        #expect(removed == 16)
        #expect(removedAgain == nil)
        #expect(t[Self.key(1)] == nil)
        t[Self.key(2)] = nil
        #expect(t.isEmpty)
    }

    @Test("grows past many rehashes and keeps every entry")
    func grow() {
        var t = ContentHashTable<Int>()
        for i in 0..<50_000 { t[Self.key(i)] = i }
        #expect(t.count == 50_000)
        #expect(t.capacity >= 50_000 * 4 / 3)
        for i in 0..<50_000 { #expect(t[Self.key(i)] == i) }
        #expect(t[Self.key(50_000)] == nil)
        var sum = 0
        for (_, v) in t { sum += v }
        #expect(sum == (0..<50_000).reduce(0, +))
    }

    @Test("tombstones keep probe runs intact and churn does not grow the table")
    func tombstones() {
        // A tiny table: probe runs overlap, so removing from the middle of a run is exercised.
        var t = ContentHashTable<Int>()
        for i in 0..<10 { t[Self.key(i)] = i }
        for i in stride(from: 0, to: 10, by: 2) { t[Self.key(i)] = nil }
        for i in stride(from: 1, to: 10, by: 2) { #expect(t[Self.key(i)] == i) }
        for i in stride(from: 0, to: 10, by: 2) { #expect(t[Self.key(i)] == nil) }
        // Insert/remove churn with a small live set: tombstones are reused or rehashed away,
        // so the table stays small.
        for round in 0..<20_000 {
            t[Self.key(100 + round)] = round
            t[Self.key(100 + round)] = nil
        }
        #expect(t.count == 5)
        #expect(t.capacity <= 64)
        for i in stride(from: 1, to: 10, by: 2) { #expect(t[Self.key(i)] == i) }
    }

    @Test("seeded random operations agree with a Dictionary", arguments: [UInt64(1), 0xDEAD_BEEF, 0x5EED_0003])
    func randomAgainstDictionary(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        var t = ContentHashTable<Int>()
        var reference: [ContentHash: Int] = [:]
        let pool = (0..<600).map(Self.key)
        for step in 0..<60_000 {
            let k = pool[Int.random(in: 0..<pool.count, using: &rng)]
            switch Int.random(in: 0..<8, using: &rng) {
            case 6:
                let inserted = t.upsert(k, insert: { 1 }, update: { $0 += 3 })
                #expect(inserted == (reference[k] == nil), "seed \(seed) step \(step)")
                reference[k, default: -2] += 3
            case 7:
                let inserted = t.insertIfAbsent(k) { 42 }
                #expect(inserted == (reference[k] == nil), "seed \(seed) step \(step)")
                if reference[k] == nil { reference[k] = 42 }
            case 0, 1:
                let v = Int.random(in: 0..<1_000_000, using: &rng)
                let got = t.updateValue(v, forKey: k)
                let expected = reference.updateValue(v, forKey: k)
                #expect(got == expected, "seed \(seed) step \(step)")
            case 2:
                let got = t.removeValue(forKey: k)
                let expected = reference.removeValue(forKey: k)
                #expect(got == expected, "seed \(seed) step \(step)")
            case 3:
                t[k]? += 7
                reference[k]? += 7
            case 4:
                t[k] = nil
                reference[k] = nil
            default:
                #expect(t[k] == reference[k], "seed \(seed) step \(step)")
            }
            #expect(t.count == reference.count)
            if step % 5_000 == 0 {
                var seen: [ContentHash: Int] = [:]
                for (key, value) in t { seen[key] = value }
                #expect(seen == reference, "seed \(seed) step \(step)")
            }
        }
        t.removeAll { key, value in value % 2 == 0 || key.low % 3 == 0 }
        reference = reference.filter { !($0.value % 2 == 0 || $0.key.low % 3 == 0) }
        #expect(t.count == reference.count)
        for (k, v) in reference { #expect(t[k] == v) }
        for k in pool where reference[k] == nil { #expect(t[k] == nil) }
    }

    @Test("copies are independent (value semantics)")
    func valueSemantics() {
        var a = ContentHashTable<Int>(minimumCapacity: 100)
        for i in 0..<100 { a[Self.key(i)] = i }
        var b = a
        b[Self.key(0)] = nil
        b[Self.key(1)] = -1
        a[Self.key(200)] = 200
        #expect(a[Self.key(0)] == 0 && a[Self.key(1)] == 1 && a.count == 101)
        #expect(b[Self.key(0)] == nil && b[Self.key(1)] == -1 && b[Self.key(200)] == nil && b.count == 99)
        var s = ContentHashTable<Void>()
        let first = s.insert(Self.key(1))
        let second = s.insert(Self.key(1))
        #expect(first && !second)
        #expect(s.contains(Self.key(1)) && !s.contains(Self.key(2)))
        a.removeAll(keepingCapacity: true)
        #expect(a.isEmpty && a.capacity >= 128 && a[Self.key(3)] == nil)
    }
}
