import StrataCore

/// Decoder of what `SnapshotWriter` wrote. Every read is bounds-checked: a snapshot that
/// passed its checksum but does not parse (another format version, a bug) is refused with
/// `dataLoss` naming what was being read, never read past its end.
public struct SnapshotReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0
    private let context: String

    /// `bytes` must outlive the reader (decode inside `withUnsafeBytes`).
    public init(_ bytes: UnsafeRawBufferPointer, context: String) {
        self.bytes = bytes
        self.context = context
    }

    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ n: Int) throws(StrataError) -> UnsafeRawBufferPointer {
        guard n >= 0, n <= bytes.count - offset else {
            throw StrataError(.dataLoss, "\(context): truncated at byte \(offset) (wanted \(n) more)")
        }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])
    }

    mutating func u8() throws(StrataError) -> UInt8 { try take(1)[0] }
    mutating func u32() throws(StrataError) -> UInt32 { UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self)) }
    mutating func u64() throws(StrataError) -> UInt64 { UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self)) }
    mutating func int() throws(StrataError) -> Int { Int(Int64(bitPattern: try u64())) }
    mutating func bool() throws(StrataError) -> Bool { try u8() != 0 }

    /// A count or index that must lie within `0...limit`.
    mutating func count(atMost limit: Int, _ what: String) throws(StrataError) -> Int {
        let n = try int()
        guard n >= 0, n <= limit else { throw StrataError(.dataLoss, "\(context): \(what) is \(n), beyond \(limit)") }
        return n
    }

    mutating func string() throws(StrataError) -> String {
        let raw = try take(Int(try u32()))
        return String(decoding: raw, as: UTF8.self)
    }

    mutating func array<T: BitwiseCopyable>(of _: T.Type = T.self) throws(StrataError) -> [T] {
        let count = try int()
        let stride = MemoryLayout<T>.stride
        guard count >= 0, count <= (bytes.count - offset) / max(stride, 1) else {
            throw StrataError(.dataLoss, "\(context): an array of \(count) elements does not fit at byte \(offset)")
        }
        let raw = try take(count * stride)
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw) }
            initialized = count
        }
    }

    /// Refuses a value that breaks an invariant of the structure being decoded.
    func require(_ condition: Bool, _ what: @autoclosure () -> String) throws(StrataError) {
        guard condition else { throw StrataError(.dataLoss, "\(context): \(what())") }
    }
}
