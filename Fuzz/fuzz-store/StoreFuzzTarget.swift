import StrataCore
import StrataFuzzSupport
import StrataStore

/// The persistent tier's recovery on arbitrary files: the input is a store directory
/// (`StoreFuzzDirectory`: MANIFEST, segments, WAL files, any names and bytes), opened with
/// block verification on; when it opens, every chunk of every slot is read back.
///
/// What must hold: no crash, no sanitizer report, no hang; damage is a thrown `StrataError`
/// (data loss, failed precondition, …) or a repaired open -- never a trap.
func storeTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    let files = StoreFuzzDirectory.decode(&input)
    let disk = InMemoryDiskFuzzDouble(directory: StoreFuzzDirectory.path, files: files)
    var settings = PersistentSettings.default
    settings.verifyBlocksOnOpen = true
    settings.backgroundMaintenance = false
    guard let tier = try? PersistentTier.open(directory: StoreFuzzDirectory.path, settings: settings, fileSystem: disk) else { return 0 }
    defer { tier.close() }
    for (slot, _) in tier.slotSequences() {
        for ref in tier.chunks(inSlot: slot) {
            _ = try? tier.read(ref)
        }
        _ = try? tier.exportSlot(slot, after: 0) { _ in }
    }
    return 0
}

/// The fuzz input's layout: repeated (name length byte, name, 32-bit length, bytes).
enum StoreFuzzDirectory {
    static let path = "/store"

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
}
