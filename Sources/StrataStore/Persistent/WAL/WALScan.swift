import StrataCore

/// The result of reading a WAL file from the start: its valid frames and how it ends.
struct WALScan: Sendable {
    enum Ending: Sendable, Equatable {
        /// Every byte belongs to a valid frame (or is trailing zeros).
        case clean
        /// Bytes after the last valid frame that are not a valid frame, and no valid frame
        /// follows them: a write that was torn by a crash. Safe to cut.
        case tornTail(offset: Int)
        /// A bad frame followed by a valid one: acknowledged data was damaged. Not repairable.
        case corruptMiddle(offset: Int, nextValid: Int)
    }

    var payloads: [Range<Int>]
    /// End of the last valid frame (where the next append goes after repair).
    var validEnd: Int
    var ending: Ending

    /// Scans `bytes` (a whole WAL file). Throws on a bad file header, which a torn tail
    /// cannot produce because the file is created complete and renamed into place.
    static func scan(_ bytes: [UInt8], path: String, version: UInt32) throws(StrataError) -> WALScan {
        guard bytes.count >= WALFrame.fileHeaderSize else {
            throw .dataLoss("WAL \(path): file header is missing")
        }
        let header = Array(bytes[0..<WALFrame.fileHeaderSize])
        guard Array(header[0..<8]) == WALFrame.fileMagic else { throw .dataLoss("WAL \(path): bad magic") }
        var r = ByteReader(header[8...], context: "WAL header")
        let fileVersion = try r.u32()
        guard try r.u32() == Checksum.crc32c(header[0..<12]) else { throw .dataLoss("WAL \(path): header checksum mismatch") }
        guard fileVersion == version else {
            throw .failedPrecondition("WAL \(path) has format version \(fileVersion); this build reads version \(version)")
        }
        var payloads: [Range<Int>] = []
        var offset = WALFrame.fileHeaderSize
        while let payload = WALFrame.decode(bytes, at: offset) {
            payloads.append(payload)
            offset = WALFrame.paddedSize(payload: payload.count) + offset
        }
        if offset >= bytes.count || bytes[offset...].allSatisfy({ $0 == 0 }) {
            return WALScan(payloads: payloads, validEnd: offset, ending: offset >= bytes.count ? .clean : .tornTail(offset: offset))
        }
        var probe = offset + WALFrame.alignment
        while probe + WALFrame.headerSize <= bytes.count {
            if WALFrame.decode(bytes, at: probe) != nil {
                return WALScan(payloads: payloads, validEnd: offset, ending: .corruptMiddle(offset: offset, nextValid: probe))
            }
            probe += WALFrame.alignment
        }
        return WALScan(payloads: payloads, validEnd: offset, ending: .tornTail(offset: offset))
    }
}
