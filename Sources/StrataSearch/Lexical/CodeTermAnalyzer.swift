/// Splits text into the terms lexical search indexes: code-aware, lowercase, Unicode letters.
///
/// An identifier is a maximal run of letters, digits and underscores (a hyphen between two
/// alphanumerics is kept, for kebab-case). Each identifier yields its parts, split at
/// underscores and hyphens, at lower→upper case changes (`camelCase`), before the last
/// capital of a capital run followed by a lowercase letter (`HTTPRequest` → `http`,
/// `request`) and at letter↔digit changes (`utf8` → `utf`, `8`), plus the whole identifier
/// lowercased when it differs from its only part (`parseHTTPRequest`, `__init__`), so a
/// query for the exact identifier still ranks it first.
///
/// It runs on every indexed byte, so it walks UTF-8 bytes directly with an ASCII fast path
/// and decodes scalars only for non-ASCII text.
public struct CodeTermAnalyzer: Sendable, Equatable {
    /// Terms longer than this many UTF-8 bytes (base64 blobs, hashes) are dropped.
    public var maximumTermBytes: Int

    public init(maximumTermBytes: Int = 64) {
        self.maximumTermBytes = maximumTermBytes
    }

    /// All terms of `text` in order, with repetitions.
    public func terms(_ text: String) -> [String] {
        var result: [String] = []
        forEachTerm(in: text) { result.append($0) }
        return result
    }

    /// Calls `body` with each term of `text` in order, with repetitions.
    public func forEachTerm(in text: String, _ body: (String) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            Self.scan(bytes, maximumTermBytes: maximumTermBytes, body)
        }
    }
}

extension CodeTermAnalyzer {
    /// Character classes that decide where an identifier splits.
    enum CharClass: UInt8 {
        case other, separator, upper, lower, digit, caselessLetter
    }

    @inline(__always)
    static func asciiClass(_ b: UInt8) -> CharClass {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): .lower
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): .upper
        case UInt8(ascii: "0")...UInt8(ascii: "9"): .digit
        case UInt8(ascii: "_"): .separator
        default: .other
        }
    }

    /// Decodes the scalar at `i` (valid UTF-8 guaranteed by `String`) and returns its class and length.
    @inline(__always)
    static func classify(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (CharClass, Int) {
        let b0 = bytes[i]
        if b0 < 0x80 { return (asciiClass(b0), 1) }
        var value: UInt32
        var length: Int
        if b0 >= 0xF0 {
            value = UInt32(b0 & 0x07)
            length = 4
        } else if b0 >= 0xE0 {
            value = UInt32(b0 & 0x0F)
            length = 3
        } else {
            value = UInt32(b0 & 0x1F)
            length = 2
        }
        for j in 1..<length where i + j < bytes.count {
            value = (value << 6) | UInt32(bytes[i + j] & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return (.other, length) }
        let properties = scalar.properties
        if properties.isAlphabetic {
            if properties.isUppercase { return (.upper, length) }
            if properties.isLowercase { return (.lower, length) }
            return (.caselessLetter, length)
        }
        if properties.numericType != nil { return (.digit, length) }
        return (.other, length)
    }

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, maximumTermBytes: Int, _ body: (String) -> Void) {
        var i = 0
        let n = bytes.count
        // Reused per identifier: the byte offsets where its parts start and end.
        var parts: [(Int, Int)] = []
        parts.reserveCapacity(8)
        while i < n {
            let (cls, len) = classify(bytes, at: i)
            if cls == .other {
                i += len
                continue
            }
            // An identifier starts at i. Walk it, recording part boundaries.
            let runStart = i
            parts.removeAll(keepingCapacity: true)
            var partStart = -1
            var previous = CharClass.separator
            var previousStart = i
            var previousPrevious = CharClass.separator
            while i < n {
                var (c, l) = classify(bytes, at: i)
                if c == .other {
                    // A hyphen between alphanumerics joins kebab-case words.
                    if bytes[i] == UInt8(ascii: "-"), previous != .separator, i + 1 < n {
                        let next = asciiClass(bytes[i + 1])
                        if next == .lower || next == .upper || next == .digit {
                            c = .separator
                            l = 1
                        }
                    }
                    if c == .other { break }
                }
                if c == .separator {
                    if partStart >= 0 {
                        parts.append((partStart, i))
                        partStart = -1
                    }
                } else if partStart < 0 {
                    partStart = i
                } else {
                    let letterDigitChange = (c == .digit) != (previous == .digit)
                    // Caseless scripts (CJK, Arabic…) next to cased ones (`東京Tower`).
                    let scriptChange = (c == .caselessLetter) != (previous == .caselessLetter)
                    let camel = c == .upper && previous == .lower
                    let capitalRunEnd = c == .lower && previous == .upper && previousPrevious == .upper
                    if letterDigitChange || scriptChange || camel {
                        parts.append((partStart, i))
                        partStart = i
                    } else if capitalRunEnd, previousStart > partStart {
                        parts.append((partStart, previousStart))
                        partStart = previousStart
                    }
                }
                previousPrevious = previous
                previous = c
                previousStart = i
                i += l
            }
            if partStart >= 0 { parts.append((partStart, i)) }
            // Separators at either end belong to the identifier (`__init__`); a trailing hyphen
            // never does, because it is only admitted before an alphanumeric.
            let runEnd = i
            for (s, e) in parts where e - s <= maximumTermBytes {
                body(lowercased(bytes, s, e))
            }
            let single = parts.count == 1 && parts[0] == (runStart, runEnd)
            if !parts.isEmpty, !single, runEnd - runStart <= maximumTermBytes {
                body(lowercased(bytes, runStart, runEnd))
            }
        }
    }

    @inline(__always)
    static func lowercased(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
        var ascii = true
        for b in slice where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            return String(unsafeUninitializedCapacity: slice.count) { out in
                for (k, b) in slice.enumerated() {
                    out[k] = (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) ? b | 0x20 : b
                }
                return slice.count
            }
        }
        return String(decoding: slice, as: UTF8.self).lowercased()
    }
}
