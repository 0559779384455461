import StrataText
/// What makes a file's bytes ingestible text: no sign of binary content in the first
/// `probeBytes`, valid UTF-8 throughout, and no NUL anywhere (a NUL would end the text early
/// on the wire). Shared by `strata ingest` and `strata sync`, so both skip the same files.
public enum TextFile {
    /// Why the bytes are not text, or nil when they are.
    public static func skipReason(_ bytes: UnsafeBufferPointer<UInt8>, probeBytes: Int) -> SkipReason? {
        let probe = UnsafeBufferPointer(rebasing: bytes[0..<Swift.min(bytes.count, probeBytes)])
        if let why = BinaryDetector.binaryReason(probe, isWholeFile: probe.count == bytes.count) { return .binary(why) }
        if let bad = UTF8Validation.firstInvalidOffset(bytes) { return .invalidUTF8(offset: bad) }
        if let nul = BinaryDetector.firstNul(bytes) { return .binary(BinaryDetector.nulReason(offset: nul)) }
        return nil
    }
}
