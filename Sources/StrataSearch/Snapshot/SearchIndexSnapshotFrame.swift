import CStrataSupport
import StrataCore

/// The frame around one slot's index snapshot on disk: which slot, at which store position
/// (sequence and content digest) the index was taken, and CRC32C checksums of the header and
/// of the payload.
///
/// A worker uses a snapshot only when the frame is intact and names exactly the position its
/// store holds for the slot now; anything else (a torn write, a flipped byte, a slot written
/// since) makes it rebuild that slot from the store. So a snapshot is either used and right,
/// or not used.
public struct SearchIndexSnapshotFrame: Sendable, Equatable {
    /// "SIDX" and the layout version: bump `version` whenever the payload's layout or the
    /// term analyzer changes, so older snapshots are rebuilt rather than misread.
    static let magic: UInt32 = 0x5844_4953
    public static let version: UInt32 = 2
    /// Bytes of the header: magic, version, slot, 4 reserved, sequence, digest, payload length,
    /// payload CRC, header CRC.
    public static let headerSize = 48

    public var slot: UInt32
    public var sequence: UInt64
    public var digest: UInt64

    public init(slot: UInt32, sequence: UInt64, digest: UInt64) {
        self.slot = slot
        self.sequence = sequence
        self.digest = digest
    }

    /// The header followed by `payload`.
    public func framing(_ payload: [UInt8]) -> [UInt8] {
        var writer = SnapshotWriter(capacity: Self.headerSize + payload.count)
        writer.u32(Self.magic)
        writer.u32(Self.version)
        writer.u32(slot)
        writer.u32(0)
        writer.u64(sequence)
        writer.u64(digest)
        writer.u64(UInt64(payload.count))
        writer.u32(Self.crc32c(payload[...]))
        var bytes = writer.bytes
        let headerCRC = Self.crc32c(bytes[...])
        withUnsafeBytes(of: headerCRC.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// The frame a snapshot's first `headerSize` bytes describe; nil when they are not an
    /// intact header of this version.
    public static func header(of bytes: ArraySlice<UInt8>) -> (frame: SearchIndexSnapshotFrame, payloadLength: Int, payloadCRC: UInt32)? {
        guard bytes.count >= headerSize else { return nil }
        let head = bytes.prefix(headerSize)
        return head.withUnsafeBytes { raw -> (SearchIndexSnapshotFrame, Int, UInt32)? in
            func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            guard u32(0) == magic, u32(4) == version,
                  crc32c(UnsafeRawBufferPointer(rebasing: raw[0..<headerSize - 4])) == u32(headerSize - 4),
                  u64(32) <= UInt64(Int.max) else { return nil }
            return (SearchIndexSnapshotFrame(slot: u32(8), sequence: u64(16), digest: u64(24)), Int(u64(32)), u32(40))
        }
    }

    /// The payload of `bytes` when they are an intact snapshot of exactly this frame (slot,
    /// sequence and digest); nil otherwise, saying nothing of why (the caller rebuilds).
    public func payload(of bytes: [UInt8]) -> ArraySlice<UInt8>? {
        let range = bytes.withUnsafeBytes { payloadRange(in: $0) }
        return range.map { bytes[$0] }
    }

    /// `payload(of:)` over bytes in place (a mapped file or shared memory): the payload's
    /// bytes within `bytes`, or nil.
    public func payload(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        payloadRange(in: bytes).map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
    }

    private func payloadRange(in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        guard bytes.count >= Self.headerSize,
              let (found, length, crc) = Self.header(of: Array(UnsafeRawBufferPointer(rebasing: bytes[0..<Self.headerSize]))[...]),
              found == self, bytes.count - Self.headerSize == length else { return nil }
        let range = Self.headerSize..<bytes.count
        return Self.crc32c(UnsafeRawBufferPointer(rebasing: bytes[range])) == crc ? range : nil
    }

    static func crc32c(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { crc32c($0) }
    }

    static func crc32c(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        return strata_crc32c(0, base, bytes.count)
    }
}
