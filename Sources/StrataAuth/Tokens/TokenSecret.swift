/// A client token as its holder sees it: `strata_` and 64 lowercase hex digits (256 random
/// bits). Shown once when created; the coordinator keeps only its `TokenHash`.
///
/// Deliberately not `CustomStringConvertible`: printing a secret must be a visible decision
/// (`revealed`), never an accident of string interpolation in a log line.
public struct TokenSecret: Sendable, Equatable {
    public static let prefix = "strata_"
    static let hexDigits = 64

    /// The whole token text, to show the holder once.
    public let revealed: String

    /// A new token from `generator` (the system's cryptographic generator by default).
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> TokenSecret {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            let word = generator.next()
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return TokenSecret(unchecked: prefix + Hex.encode(bytes))
    }

    public static func generate() -> TokenSecret {
        var system = SystemRandomNumberGenerator()
        return generate(using: &system)
    }

    /// A token as presented by a client or read from a file; nil unless it has the exact shape.
    public init?(parsing text: String) {
        let utf8 = text.utf8
        guard utf8.count == Self.prefix.utf8.count + Self.hexDigits, text.hasPrefix(Self.prefix),
              utf8.dropFirst(Self.prefix.utf8.count).allSatisfy(Hex.isLowercaseDigit) else { return nil }
        revealed = text
    }

    private init(unchecked: String) { revealed = unchecked }

    /// What the registry stores and compares.
    public var hash: TokenHash { TokenHash(of: Array(revealed.utf8)) }
}

/// Lowercase hexadecimal.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func isLowercaseDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) }

    private static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
