/// The Unicode classes the tiktoken pre-tokenization patterns test, packed into one byte per
/// scalar so the hand-written pre-tokenizers can classify a scalar with one table load.
///
/// The classes mirror the regex syntax of the patterns exactly: `\p{L}` is any letter
/// (Lu, Ll, Lt, Lm, Lo), `\p{N}` any number (Nd, Nl, No), `\s` the White_Space property,
/// and o200k's two bracket classes `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` ("upper-ish") and
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` ("lower-ish").
enum ScalarClass {
    static let letter: UInt8 = 1 << 0
    static let number: UInt8 = 1 << 1
    static let whitespace: UInt8 = 1 << 2
    static let upperish: UInt8 = 1 << 3
    static let lowerish: UInt8 = 1 << 4
    /// CR or LF, excluded from the optional leading character of the letter patterns.
    static let newline: UInt8 = 1 << 5

    /// Classifies one scalar from its Unicode properties (the slow path; see `ScalarClassTable`).
    static func compute(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        var bits: UInt8 = 0
        let props = scalar.properties
        switch props.generalCategory {
        case .uppercaseLetter, .titlecaseLetter:
            bits |= letter | upperish
        case .lowercaseLetter:
            bits |= letter | lowerish
        case .modifierLetter, .otherLetter:
            bits |= letter | upperish | lowerish
        case .nonspacingMark, .spacingMark, .enclosingMark:
            bits |= upperish | lowerish
        case .decimalNumber, .letterNumber, .otherNumber:
            bits |= number
        default:
            break
        }
        if props.isWhitespace { bits |= whitespace }
        if value == 0x0A || value == 0x0D { bits |= newline }
        return bits
    }
}

/// A precomputed class table for the Basic Multilingual Plane, built once per process
/// (about 64 KiB, a few milliseconds); scalars above U+FFFF are classified on the fly
/// because they are rare in source text and the table would be 17 times larger.
final class ScalarClassTable: @unchecked Sendable {
    // Immutable after init, so sharing across threads is safe; a raw pointer avoids the
    // bounds checks and retain traffic of an Array in the innermost loop.
    private let table: UnsafeMutablePointer<UInt8>

    static let shared = ScalarClassTable()

    private init() {
        table = .allocate(capacity: 0x10000)
        for v in 0..<UInt32(0x10000) {
            table[Int(v)] = ScalarClass.compute(v)
        }
    }

    deinit { table.deallocate() }

    @inline(__always)
    func classOf(_ value: UInt32) -> UInt8 {
        value < 0x10000 ? table[Int(value)] : ScalarClass.compute(value)
    }
}
