/// Reads a fuzz input as a small structure: a selector byte, then length-prefixed parts.
/// Whatever the bytes, reading never fails: missing parts are empty.
public struct FuzzInput {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    /// The next byte, 0 at the end.
    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// The next `count` bytes (fewer at the end).
    public mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + max(0, count))
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    /// A part prefixed by its 32-bit little-endian length.
    public mutating func part() -> [UInt8] {
        var length = 0
        for shift in 0..<4 { length |= Int(byte()) << (8 * shift) }
        return take(length)
    }

    /// Everything not read yet.
    public mutating func rest() -> [UInt8] { take(bytes.count - offset) }

    /// Encodes parts the way `part()` reads them (for seeds).
    public static func encodePart(_ part: [UInt8]) -> [UInt8] {
        let n = UInt32(part.count)
        return [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + part
    }
}

/// Stops the fuzzer with a clear report when a property that must hold does not.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError("fuzz property violated: \(message())", file: file, line: line) }
}
