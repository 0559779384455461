import StrataCore

/// WAL framing: `[u32 length][u32 crc32c(length ‖ payload)][payload][zero pad to 8]`.
///
/// The checksum covers the length so that a torn length is caught, and frames start on
/// 8-byte boundaries so that a scan for later valid frames (torn tail versus corruption in
/// the middle, see `RecoveryRules`) only has to try aligned offsets.
enum WALFrame {
    static let headerSize = 8
    static let alignment = 8
    /// Larger frames are refused at write time; a length above it on read is corruption.
    static let maxPayload = 256 << 20

    static let fileMagic: [UInt8] = Array("STRWAL01".utf8)
    static let fileHeaderSize = 16

    static func encode(_ payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: payload.count + 16)
        w.u32(UInt32(payload.count))
        var crc = Checksum.crc32c(w.bytes)
        crc = Checksum.crc32c(payload, seed: crc)
        w.u32(crc)
        w.raw(payload)
        w.pad(to: alignment)
        return w.bytes
    }

    /// Starts a frame in place at the end of `w`: reserves the header, which `finish` fills
    /// once the payload has been encoded after it. Encoding a batch straight into its frame
    /// saves copying a megabyte-sized payload into a second array.
    static func begin(_ w: inout ByteWriter) -> Int {
        let start = w.bytes.count
        w.u64(0)
        return start
    }

    /// Completes the frame begun at `start`: writes length and checksum, pads to 8. Returns
    /// the payload length (callers refuse frames above `maxPayload`).
    @discardableResult
    static func finish(_ w: inout ByteWriter, start: Int) -> Int {
        let length = w.bytes.count - start - headerSize
        let crc: UInt32 = w.bytes.withUnsafeMutableBytes { buf in
            buf.storeBytes(of: UInt32(truncatingIfNeeded: length).littleEndian, toByteOffset: start, as: UInt32.self)
            // One checksum pass over length ‖ payload would skip the crc field; two calls keep it simple.
            let head = UnsafeRawBufferPointer(rebasing: buf[start..<(start + 4)])
            let payload = UnsafeRawBufferPointer(rebasing: buf[(start + headerSize)...])
            return Checksum.crc32c(payload, seed: Checksum.crc32c(head))
        }
        w.bytes.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self) }
        w.pad(to: alignment)
        return length
    }

    static func paddedSize(payload: Int) -> Int { (headerSize + payload + alignment - 1) / alignment * alignment }

    /// The payload range of a valid frame starting at `offset`, or nil.
    static func decode(_ bytes: [UInt8], at offset: Int) -> Range<Int>? {
        guard offset + headerSize <= bytes.count else { return nil }
        var r = ByteReader(bytes[offset..<(offset + headerSize)], context: "WAL frame")
        guard let length = try? Int(r.u32()), let stored = try? r.u32() else { return nil }
        guard length > 0, length <= maxPayload, offset + headerSize + length <= bytes.count else { return nil }
        let payload = (offset + headerSize)..<(offset + headerSize + length)
        var crc = Checksum.crc32c(bytes[offset..<(offset + 4)])
        crc = Checksum.crc32c(bytes[payload], seed: crc)
        return crc == stored ? payload : nil
    }

    static func fileHeader(version: UInt32) -> [UInt8] {
        var w = ByteWriter(capacity: fileHeaderSize)
        w.raw(fileMagic)
        w.u32(version)
        w.u32(Checksum.crc32c(w.bytes))
        return w.bytes
    }
}
