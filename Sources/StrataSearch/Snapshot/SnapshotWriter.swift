/// Little-endian encoder of search-index snapshots: scalars, strings, and arrays of plain
/// values copied whole (an index's postings and vectors are large flat arrays, so a snapshot
/// is mostly `memcpy`).
///
/// The bytes are a local cache of the worker's own index, read back only on the machine that
/// wrote them (every platform Swift targets here is little-endian); the frame around them
/// carries the checksum.
public struct SnapshotWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func bool(_ v: Bool) { u8(v ? 1 : 0) }

    mutating func string(_ v: String) {
        var v = v
        v.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: UnsafeRawBufferPointer(utf8))
        }
    }

    /// The element count, then the elements' bytes as they lie in memory.
    mutating func array<T: BitwiseCopyable>(_ values: [T]) {
        int(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}
