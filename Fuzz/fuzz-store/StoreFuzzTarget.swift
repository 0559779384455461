import StrataCore
import StrataFuzzSupport
import StrataStore

/// The persistent tier's recovery on arbitrary files, opened with block verification on;
/// when it opens, every chunk of every slot is read back. The first byte picks the input:
///
/// | selector | input | reaches |
/// |---|---|---|
/// | even | a whole store directory (`StoreFuzzDirectory`: MANIFEST, segments, WAL files, any names and bytes) | every header, footer and checksum check |
/// | odd | WAL record payloads, framed with valid checksums after a real file header, next to a real MANIFEST | the record decoding behind the checksums, which damaged bytes rarely reach |
///
/// What must hold: no crash, no sanitizer report, no hang; damage is a thrown `StrataError`
/// (data loss, failed precondition, …) or a repaired open -- never a trap.
func storeTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    let files = input.byte() % 2 == 0 ? StoreFuzzDirectory.decode(&input) : StoreFuzzDirectory.withFramedWAL(&input)
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
