import StrataCore

/// The root of a data directory: which segments are live and which WAL files they cover.
///
/// Replaced atomically (temp file, fsync, rename, fsync of the directory), so after any crash
/// there is exactly one valid manifest, old or new.
struct Manifest: Sendable, Equatable {
    static let fileName = "MANIFEST"
    static let magic: [UInt8] = Array("STRMANI1".utf8)

    var formatVersion: UInt32
    /// Changes whenever the stored content may have diverged from what a warm tier holds
    /// without it having seen the change (repairs, quarantines). See `TierHierarchy`.
    var epoch: UInt64
    /// WAL files numbered below this are fully covered by segments.
    var walFirst: UInt64
    var nextSegmentID: UInt64
    var segments: [UInt64]

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 64 + segments.count * 8)
        w.raw(Manifest.magic)
        w.u32(formatVersion)
        w.u64(epoch)
        w.u64(walFirst)
        w.u64(nextSegmentID)
        w.u32(UInt32(segments.count))
        for id in segments { w.u64(id) }
        w.u32(Checksum.crc32c(w.bytes))
        return w.bytes
    }

    /// Decodes and verifies; a version other than `expectedVersion` is `failedPrecondition`.
    static func decode(_ bytes: [UInt8], path: String, expectedVersion: UInt32) throws(StrataError) -> Manifest {
        guard bytes.count >= 12, Array(bytes[0..<8]) == magic else {
            throw .dataLoss("manifest \(path) is not a Strata manifest (bad magic)")
        }
        var r = ByteReader(bytes[8...], context: "manifest \(path)")
        let version = try r.u32()
        guard version == expectedVersion else {
            throw .failedPrecondition("data directory format version \(version) is not supported by this build (it reads version \(expectedVersion)); \(path)")
        }
        guard bytes.count >= 16, Checksum.crc32c(bytes[0..<(bytes.count - 4)]) == (try ByteReader(bytes[(bytes.count - 4)...], context: path).peekU32()) else {
            throw .dataLoss("manifest \(path): checksum mismatch")
        }
        let epoch = try r.u64()
        let walFirst = try r.u64()
        let next = try r.u64()
        var segments: [UInt64] = []
        for _ in 0..<Int(try r.u32()) { segments.append(try r.u64()) }
        return Manifest(formatVersion: version, epoch: epoch, walFirst: walFirst, nextSegmentID: next, segments: segments)
    }
}
