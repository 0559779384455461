import StrataCore

/// Little-endian binary decoder; every read is bounds-checked and fails with `dataLoss`
/// naming `context`, because its input is bytes read back from disk or a peer.
struct ByteReader {
    let bytes: ArraySlice<UInt8>
    private(set) var position: Int
    let context: String

    init(_ bytes: ArraySlice<UInt8>, context: String) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.context = context
    }

    init(_ bytes: [UInt8], context: String) { self.init(bytes[...], context: context) }

    var remaining: Int { bytes.endIndex - position }
    var isAtEnd: Bool { position == bytes.endIndex }

    private mutating func take(_ n: Int) throws(StrataError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else {
            throw .dataLoss("\(context): truncated record (wanted \(n) bytes, \(remaining) left)")
        }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    mutating func u8() throws(StrataError) -> UInt8 { try take(1).first! }

    mutating func u32() throws(StrataError) -> UInt32 {
        let s = try take(4)
        return UInt32(littleEndian: s.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
    }

    mutating func u64() throws(StrataError) -> UInt64 {
        let s = try take(8)
        return UInt64(littleEndian: s.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
    }

    mutating func int() throws(StrataError) -> Int { Int(Int64(bitPattern: try u64())) }

    /// A stored u64 offset, length or count, refused as `dataLoss` when it does not fit an Int
    /// (damaged bytes must be an error, never a trap).
    mutating func size() throws(StrataError) -> Int {
        let value = try u64()
        guard let size = Int(exactly: value) else { throw .dataLoss("\(context): stored size \(value) is out of range") }
        return size
    }

    mutating func blob() throws(StrataError) -> ArraySlice<UInt8> { try take(Int(try u32())) }

    mutating func raw(_ n: Int) throws(StrataError) -> ArraySlice<UInt8> { try take(n) }

    mutating func string() throws(StrataError) -> String {
        let b = try blob()
        guard let s = String(validating: b, as: UTF8.self) else {
            throw .dataLoss("\(context): stored string is not valid UTF-8")
        }
        return s
    }

    /// Reads a u32 without advancing (for one-off header fields).
    func peekU32() throws(StrataError) -> UInt32 {
        var copy = self
        return try copy.u32()
    }
}
