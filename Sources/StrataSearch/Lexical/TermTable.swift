import CStrataSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A term dictionary held in three flat arrays: every term's UTF-8 bytes one after another
/// (term `id` at `bytes[offsets[id]..<offsets[id + 1]]`) and an open-addressing hash table of
/// term ids (`buckets`, a power of two, -1 = empty) keyed by the CRC32C of the term's bytes.
///
/// Unlike `[String: Int32]` (whose hash is seeded per process) the table is the same bytes in
/// every process, so a snapshot carries it whole and reading it back is three copies, not one
/// insert per term. Lookups cost one hash and, mostly, one byte comparison.
struct TermTable: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [Int32] = [0]
    private(set) var buckets: [Int32] = []

    var count: Int { offsets.count - 1 }

    /// The table of `terms`, term `i` getting id `i` (the terms must be distinct).
    init<Terms: Sequence>(terms: Terms) where Terms.Element == String {
        for term in terms {
            var term = term
            term.withUTF8 { bytes.append(contentsOf: $0) }
            offsets.append(Int32(bytes.count))
        }
        var capacity = 16
        while capacity < 2 * count { capacity *= 2 }
        buckets = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        bytes.withUnsafeBytes { raw in
            for id in 0..<count {
                let start = Int(offsets[id])
                var bucket = Int(Self.hash(UnsafeRawBufferPointer(rebasing: raw[start..<Int(offsets[id + 1])]))) & mask
                while buckets[bucket] >= 0 { bucket = (bucket + 1) & mask }
                buckets[bucket] = Int32(id)
            }
        }
    }

    init() { self.init(terms: []) }

    /// A table read back as it was written; `validated` checks that it cannot be read out of
    /// bounds (the snapshot's checksum vouches for the rest).
    init(bytes: [UInt8], offsets: [Int32], buckets: [Int32]) {
        self.bytes = bytes
        self.offsets = offsets
        self.buckets = buckets
    }

    /// Whether every offset and bucket lies within the arrays.
    var isWellFormed: Bool {
        guard offsets.first == 0, Int(offsets.last ?? -1) == bytes.count, buckets.count >= 16,
              buckets.count & (buckets.count - 1) == 0, buckets.count >= 2 * count else { return false }
        let terms = Int32(count)
        return zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 } && buckets.allSatisfy { $0 >= -1 && $0 < terms }
    }

    /// The id of `term`, nil when the table does not hold it.
    func id(of term: String) -> Int32? {
        if let found = term.utf8.withContiguousStorageIfAvailable({ id(ofUTF8: UnsafeRawBufferPointer($0)) }) { return found }
        var copy = term
        return copy.withUTF8 { id(ofUTF8: UnsafeRawBufferPointer($0)) }
    }

    /// The id of a term whose hash was computed once for many tables (a query's terms are
    /// looked up in the shard of every slot it searches).
    func id(of key: TermKey) -> Int32? {
        key.bytes.withUnsafeBytes { id(ofUTF8: $0, hash: key.hash) }
    }

    private func id(ofUTF8 term: UnsafeRawBufferPointer) -> Int32? {
        id(ofUTF8: term, hash: Self.hash(term))
    }

    private func id(ofUTF8 term: UnsafeRawBufferPointer, hash: UInt32) -> Int32? {
        let mask = buckets.count - 1
        var bucket = Int(hash) & mask
        return bytes.withUnsafeBytes { raw -> Int32? in
            while true {
                let id = buckets[bucket]
                guard id >= 0 else { return nil }
                let start = Int(offsets[Int(id)]), end = Int(offsets[Int(id) + 1])
                if end - start == term.count,
                   term.count == 0 || memcmp(raw.baseAddress! + start, term.baseAddress!, term.count) == 0 {
                    return id
                }
                bucket = (bucket + 1) & mask
            }
        }
    }

    /// Adds a term the table does not hold; returns its id (the next one). The bucket array
    /// doubles when it would be more than half full, so adding stays amortized O(1).
    @discardableResult
    mutating func append(_ term: String) -> Int32 {
        let id = Int32(count)
        var term = term
        term.withUTF8 { bytes.append(contentsOf: $0) }
        offsets.append(Int32(bytes.count))
        if 2 * count > buckets.count {
            rehash(capacity: buckets.count * 2)
        } else {
            insert(id)
        }
        return id
    }

    /// Places term `id` (already in `bytes`) in its bucket.
    private mutating func insert(_ id: Int32) {
        let mask = buckets.count - 1
        let start = Int(offsets[Int(id)]), end = Int(offsets[Int(id) + 1])
        var bucket = bytes.withUnsafeBytes { Int(Self.hash(UnsafeRawBufferPointer(rebasing: $0[start..<end]))) } & mask
        buckets.withUnsafeMutableBufferPointer { buckets in
            while buckets[bucket] >= 0 { bucket = (bucket + 1) & mask }
            buckets[bucket] = id
        }
    }

    private mutating func rehash(capacity: Int) {
        buckets = [Int32](repeating: -1, count: capacity)
        for id in 0..<Int32(count) { insert(id) }
    }

    /// The term with `id`.
    func term(_ id: Int) -> String {
        String(decoding: bytes[Int(offsets[id])..<Int(offsets[id + 1])], as: UTF8.self)
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        // CRC32C spreads short strings well enough for linear probing at half load.
        return strata_crc32c(0x9E37_79B9, base, bytes.count)
    }
}

/// A term's UTF-8 bytes with their `TermTable` hash, computed once and then looked up in
/// many tables: a query's terms in the index of every slot's shard (about 170 to 256 per
/// worker), where hashing the `String` again per shard was a visible share of a query.
public struct TermKey: Sendable {
    let bytes: [UInt8]
    let hash: UInt32

    public init(_ term: String) {
        bytes = Array(term.utf8)
        hash = bytes.withUnsafeBytes { TermTable.hash($0) }
    }
}
