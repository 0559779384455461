import StrataText
import Glibc

/// Tells text files from binary ones by their first bytes, the way git and grep do: a NUL
/// byte, or bytes that are not UTF-8, in the probe (8 KiB by default) mean binary.
enum BinaryDetector {
    /// Why the file looks binary, or nil when the probe looks like UTF-8 text.
    /// `isWholeFile` tells whether the probe ends where the file ends; when it does not, an
    /// incomplete multi-byte sequence at the very end of the probe is not held against it.
    static func binaryReason(_ probe: UnsafeBufferPointer<UInt8>, isWholeFile: Bool) -> String? {
        if let nul = firstNul(probe) {
            return nulReason(offset: nul)
        }
        guard let bad = UTF8Validation.firstInvalidOffset(probe) else { return nil }
        if !isWholeFile && probe.count - bad < 4 && isTruncatedSequence(probe, from: bad) { return nil }
        return "binary: not UTF-8 (bad byte at offset \(bad))"
    }

    /// The offset of the first NUL byte. Text past the probe is checked too: Strata's wire
    /// strings end at a NUL, so such a file cannot be sent whole.
    static func firstNul(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress, let hit = memchr(base, 0, bytes.count) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    static func nulReason(offset: Int) -> String { "binary: NUL byte at offset \(offset)" }

    /// Whether `probe[from...]` is a valid but incomplete UTF-8 sequence cut by the probe end.
    private static func isTruncatedSequence(_ probe: UnsafeBufferPointer<UInt8>, from: Int) -> Bool {
        let lead = probe[from]
        let needed = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xC2 && lead <= 0xDF ? 2 : 0
        guard needed > probe.count - from else { return false }
        return probe[(from + 1)...].allSatisfy { $0 & 0xC0 == 0x80 }
    }
}
