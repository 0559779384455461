/// A read-only hash map from a token's bytes to its rank, laid out for lookups straight from
/// a pointer into the text being encoded (no key allocation per lookup).
///
/// All token bytes live in one contiguous buffer; an open-addressing table with linear
/// probing holds entry indices. Built once per vocabulary and shared between threads.
final class RankTable: @unchecked Sendable {
    // Immutable after init; raw storage keeps the lookup loop free of bounds checks and ARC.
    private let bytes: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int32>
    private let lengths: UnsafeMutablePointer<Int32>
    private let ranks: UnsafeMutablePointer<Int32>
    private let slots: UnsafeMutablePointer<Int32>
    private let mask: Int
    /// Entry index for each rank (or -1), for decoding.
    private let entryByRank: [Int32]
    /// Number of tokens in the table.
    let count: Int
    /// The rank of each single byte (every byte-level BPE vocabulary holds all 256).
    let byteRanks: [Int]

    /// Builds the table from `(token bytes, rank)` pairs; ranks must be unique and ≥ 0.
    convenience init(tokens: [(bytes: [UInt8], rank: Int)]) {
        var list = TokenList()
        for token in tokens { list.append(token.bytes[...], rank: token.rank) }
        self.init(list)
    }

    /// Builds the table from a flat token list; ranks must be unique and ≥ 0.
    init(_ list: TokenList) {
        count = list.ranks.count
        bytes = .allocate(capacity: max(list.bytes.count, 1))
        starts = .allocate(capacity: max(count, 1))
        lengths = .allocate(capacity: max(count, 1))
        ranks = .allocate(capacity: max(count, 1))
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: -1, count: capacity)
        mask = capacity - 1

        let storage = bytes
        for (k, b) in list.bytes.enumerated() { storage[k] = b }
        var maxRank = 0
        for index in 0..<count {
            starts[index] = list.starts[index]
            lengths[index] = list.lengths[index]
            ranks[index] = list.ranks[index]
            maxRank = max(maxRank, Int(list.ranks[index]))
        }
        var byRank = [Int32](repeating: -1, count: maxRank + 1)
        var single = [Int](repeating: -1, count: 256)
        for index in 0..<count {
            let start = bytes + Int(starts[index])
            let length = Int(lengths[index])
            var slot = Self.hash(UnsafePointer(start), length) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
            byRank[Int(ranks[index])] = Int32(index)
            if length == 1 { single[Int(start[0])] = Int(ranks[index]) }
        }
        entryByRank = byRank
        byteRanks = single
    }

    deinit {
        bytes.deallocate(); starts.deallocate(); lengths.deallocate()
        ranks.deallocate(); slots.deallocate()
    }

    /// The largest rank in the table.
    var maxRank: Int { entryByRank.count - 1 }

    /// The rank of the `length` bytes at `key`, or nil when they are not a token.
    @inline(__always)
    func rank(_ key: UnsafePointer<UInt8>, _ length: Int) -> Int? {
        var slot = Self.hash(key, length) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { return nil }
            if Int(lengths[index]) == length {
                let start = bytes + Int(starts[index])
                var equal = true
                var k = 0
                while k < length {
                    if start[k] != key[k] { equal = false; break }
                    k += 1
                }
                if equal { return Int(ranks[index]) }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The bytes of the token with `rank`, or nil for an unknown rank.
    func tokenBytes(_ rank: Int) -> UnsafeBufferPointer<UInt8>? {
        guard rank >= 0, rank < entryByRank.count else { return nil }
        let index = Int(entryByRank[rank])
        guard index >= 0 else { return nil }
        return UnsafeBufferPointer(start: bytes + Int(starts[index]), count: Int(lengths[index]))
    }

    /// A fast 64-bit hash over short byte strings: eight bytes at a time, multiply-mix.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ length: Int) -> Int {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(length &+ 1)
        var i = 0
        while i + 8 <= length {
            let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < length {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < length {
                tail |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 29
        }
        h = (h ^ (h >> 31)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }
}
