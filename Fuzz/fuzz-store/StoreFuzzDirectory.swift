import CStrataSupport
import StrataCore
import StrataFuzzSupport
import StrataStore

/// The layouts of `fuzz-store` inputs.
enum StoreFuzzDirectory {
    static let path = "/store"
    static let walName = "wal-00000001.log"
    /// WAL framing (`WALFrame`): [u32 length][u32 crc32c(length ‖ payload)][payload][zeros to 8].
    static let frameHeaderSize = 8
    static let walHeaderSize = 16

    /// A whole directory: repeated (name length byte, name, 32-bit length, bytes).
    static func decode(_ input: inout FuzzInput) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        while !input.isAtEnd, files.count < 16 {
            let name = String(decoding: input.take(Int(input.byte())), as: UTF8.self)
            let bytes = input.part()
            guard !name.isEmpty, !name.contains("/") else { continue }
            files[name] = bytes
        }
        return files
    }

    static func encode(_ files: [String: [UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
            let utf8 = Array(name.utf8)
            out.append(UInt8(utf8.count))
            out += utf8
            out += FuzzInput.encodePart(bytes)
        }
        return out
    }

    /// The directory of a fresh store (its MANIFEST and first WAL file's header, written by the
    /// store itself), with WAL frames around the input's parts (32-bit length-prefixed payloads).
    static func withFramedWAL(_ input: inout FuzzInput) -> [String: [UInt8]] {
        var files = freshStore
        var wal = Array((files[walName] ?? []).prefix(walHeaderSize))
        while !input.isAtEnd {
            let payload = input.part()
            guard !payload.isEmpty else { continue }
            wal += frame(payload)
        }
        files[walName] = wal
        return files
    }

    /// Payloads of the WAL frames of a real WAL file (for seeds).
    static func payloads(ofWAL wal: [UInt8]) -> [[UInt8]] {
        var payloads: [[UInt8]] = []
        var offset = walHeaderSize
        while offset + frameHeaderSize <= wal.count {
            let length = Int(wal[offset]) | Int(wal[offset + 1]) << 8 | Int(wal[offset + 2]) << 16 | Int(wal[offset + 3]) << 24
            guard length > 0, offset + frameHeaderSize + length <= wal.count else { break }
            payloads.append(Array(wal[(offset + frameHeaderSize)..<(offset + frameHeaderSize + length)]))
            offset += (frameHeaderSize + length + 7) / 8 * 8
        }
        return payloads
    }

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        let length: [UInt8] = [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
        var crc = length.withUnsafeBytes { strata_crc32c(0, $0.baseAddress, $0.count) }
        crc = payload.withUnsafeBytes { strata_crc32c(crc, $0.baseAddress, $0.count) }
        var out = length + [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)] + payload
        while out.count % 8 != 0 { out.append(0) }
        return out
    }

    /// Written once per process by the store itself.
    static let freshStore: [String: [UInt8]] = {
        let disk = InMemoryDiskFuzzDouble(directory: path, files: [:])
        (try? PersistentTier.open(directory: path, fileSystem: disk))?.close()
        return disk.contents(of: path)
    }()
}
