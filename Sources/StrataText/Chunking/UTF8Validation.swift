import StrataCore

/// Strict UTF-8 validation that reports where the first bad byte is, so the error can point
/// the user at the place in the document.
public enum UTF8Validation {
    /// The byte offset of the first ill-formed sequence (overlong forms, surrogates and values
    /// above U+10FFFF included), or nil when all of `bytes` is valid UTF-8.
    public static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = bytes.count
        var i = 0
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            @inline(__always) func cont(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xC0 == 0x80 }
            if b0 >= 0xC2 && b0 <= 0xDF {
                guard cont(1) else { return i }
                i += 2
            } else if b0 >= 0xE0 && b0 <= 0xEF {
                guard cont(1), cont(2) else { return i }
                let b1 = bytes[i + 1]
                if b0 == 0xE0 && b1 < 0xA0 { return i }       // overlong
                if b0 == 0xED && b1 >= 0xA0 { return i }      // surrogate
                i += 3
            } else if b0 >= 0xF0 && b0 <= 0xF4 {
                guard cont(1), cont(2), cont(3) else { return i }
                let b1 = bytes[i + 1]
                if b0 == 0xF0 && b1 < 0x90 { return i }       // overlong
                if b0 == 0xF4 && b1 >= 0x90 { return i }      // above U+10FFFF
                i += 4
            } else {
                return i
            }
        }
        return nil
    }

    /// The bytes as a String, or `invalidArgument` naming the document and the offset.
    static func decode(_ bytes: [UInt8], documentID: String) throws -> String {
        try bytes.withUnsafeBufferPointer { buffer in
            if let offset = firstInvalidOffset(buffer) {
                throw StrataError.invalidArgument("document \(documentID): text is not valid UTF-8 (first bad byte at offset \(offset))")
            }
            return String(decoding: buffer, as: UTF8.self)
        }
    }
}
