import CStrataSupport

/// The content hash the coordinator keeps with each document (ListDocuments): XXH3-128 of the
/// document's UTF-8 text, 32 lowercase hex digits, high word first -- the same digits as
/// `ContentHash.description`, computed here from the file's bytes without decoding them.
public enum DocumentHash {
    public static func of(_ bytes: [UInt8]) -> String {
        var high: UInt64 = 0, low: UInt64 = 0
        bytes.withUnsafeBytes { strata_xxh3_128($0.baseAddress, $0.count, &high, &low) }
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
