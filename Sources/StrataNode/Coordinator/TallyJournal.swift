#if canImport(Glibc)
import Glibc
#endif
import CStrataSupport
import StrataCore

/// An append-only journal of changes to the coordinator's document tally, beside its snapshot
/// (`namespaces.json`), so that recording an ingest batch costs one small fsynced append
/// instead of rewriting every document of every namespace.
///
/// Frame: `[length: UInt32 LE][crc32c(payload): UInt32 LE][payload]`, payload a JSON entry.
///
/// | on open, the journal holds            | then                                                    |
/// |---------------------------------------|---------------------------------------------------------|
/// | whole frames                          | each is replayed over the snapshot, in order            |
/// | a torn or corrupt frame after them    | it and what follows are cut off (never acknowledged)    |
/// | frames older than the snapshot        | replaying them is harmless: each sets documents to the values the snapshot already has, and entries of dropped namespaces are skipped |
///
/// The owner writes a new snapshot and then `reset`s the journal, both under its lock, so no
/// entry is appended between the two.
final class TallyJournal {
    private let path: String
    private let descriptor: Int32
    /// Bytes in the journal now.
    private(set) var bytes: Int

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StrataError(.unavailable, "cannot open \(path): \(String(cString: strerror(errno)))") }
        bytes = Int(lseek(descriptor, 0, SEEK_END))
    }

    deinit { close(descriptor) }

    /// The payloads of every whole frame, in order; a torn or corrupt tail is cut off.
    func replay() throws -> [[UInt8]] {
        var content = [UInt8](repeating: 0, count: bytes)
        let got = content.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard got == bytes else { throw StrataError(.unavailable, "cannot read \(path)") }
        var payloads: [[UInt8]] = []
        var offset = 0
        while offset + 8 <= content.count {
            let length = Int(Self.word(content, offset))
            let checksum = Self.word(content, offset + 4)
            guard offset + 8 + length <= content.count else { break }
            let payload = Array(content[(offset + 8)..<(offset + 8 + length)])
            guard payload.withUnsafeBytes({ strata_crc32c(0, $0.baseAddress, $0.count) }) == checksum else { break }
            payloads.append(payload)
            offset += 8 + length
        }
        if offset < content.count {
            guard ftruncate(descriptor, off_t(offset)) == 0, fsync(descriptor) == 0 else {
                throw StrataError(.unavailable, "cannot cut the torn tail of \(path)")
            }
            bytes = offset
        }
        return payloads
    }

    /// Appends one entry and makes it durable.
    func append(_ payload: [UInt8]) throws {
        var frame: [UInt8] = []
        frame.reserveCapacity(8 + payload.count)
        let checksum = payload.withUnsafeBytes { strata_crc32c(0, $0.baseAddress, $0.count) }
        for value in [UInt32(payload.count), checksum] {
            for shift in stride(from: 0, to: 32, by: 8) { frame.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }
        frame += payload
        var written = 0
        while written < frame.count {
            let result = frame.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw StrataError(.unavailable, "cannot append to \(path): \(String(cString: strerror(errno)))") }
            written += result
        }
        guard fsync(descriptor) == 0 else { throw StrataError(.unavailable, "cannot fsync \(path)") }
        bytes += frame.count
    }

    /// Empties the journal (after a snapshot that holds all of it).
    func reset() throws {
        guard ftruncate(descriptor, 0) == 0, fsync(descriptor) == 0 else {
            throw StrataError(.unavailable, "cannot empty \(path): \(String(cString: strerror(errno)))")
        }
        bytes = 0
    }

    private static func word(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << UInt32(8 * $1) }
    }
}
