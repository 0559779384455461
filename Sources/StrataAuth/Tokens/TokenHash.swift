import CStrataCrypto

/// The SHA-256 of a token's text: what the coordinator stores, logs never see the token
/// itself. A plain hash is enough because tokens are 256 random bits, not passwords: there
/// is nothing to guess that a slow hash would protect.
public struct TokenHash: Hashable, Sendable, CustomStringConvertible {
    /// 32 bytes.
    public let bytes: [UInt8]

    public init(of data: [UInt8]) {
        var digest = [UInt8](repeating: 0, count: 32)
        data.withUnsafeBytes { raw in
            digest.withUnsafeMutableBufferPointer { strata_sha256(raw.baseAddress, raw.count, $0.baseAddress) }
        }
        bytes = digest
    }

    /// From its hex text (as stored); nil unless it is 64 hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
        self.bytes = bytes
    }

    public var hex: String { Hex.encode(bytes) }

    public var description: String { "sha256:" + hex }

    /// Equality that takes the same time whichever byte differs.
    public func matches(_ other: TokenHash) -> Bool { ConstantTime.equals(bytes, other.bytes) }
}
