import Foundation
import StrataCore
import StrataSearch
import StrataStore
import Synchronization

/// A worker's search-index snapshots on disk: one file per slot (`slot-N.sidx` under
/// `<data_dir>/search-index/`), each the slot's index framed with the store position it
/// matches (`SearchIndexSnapshotFrame`).
///
/// They are a cache of what the store already holds, never the only copy of anything: at
/// start a slot whose snapshot is intact and names the store's current position is read back,
/// every other slot is rebuilt from the store's chunks. So the files are written without
/// fsync (a power loss leaves a torn or stale file, which the checksums or the position turn
/// away), but through a temporary file and a rename, so a reader never sees half a file.
final class SearchIndexSnapshots: Sendable {
    let directory: String
    /// The frame each slot's file holds (read at start or written since): a save skips slots
    /// whose position has not moved.
    private let onDisk = Mutex<[UInt32: SearchIndexSnapshotFrame]>([:])
    /// One save at a time (the periodic one and the one at shutdown share the files).
    private let saving = NSLock()

    init(directory: String) {
        self.directory = directory
    }

    func path(of slot: UInt32) -> String { "\(directory)/slot-\(slot).sidx" }

    /// What a start did: slots read back from snapshots, slots rebuilt from the store, and
    /// where the time went.
    struct Restore: Sendable, CustomStringConvertible {
        var loaded = 0
        var rebuilt = 0
        /// Bytes of intact snapshot files (header and payload CRC32C checked).
        var checkedBytes = 0
        /// Mapping and checking every file (on every core).
        var checkTook = Duration.zero
        /// Decoding the checked payloads into shards (on every core).
        var decodeTook = Duration.zero
        /// Set by the worker: the time the whole restore took.
        var took = Duration.zero
        var description: String { "\(loaded) slots from snapshots, \(rebuilt) rebuilt" }
    }

    /// Every intact snapshot file of the directory (header and payload CRC32C) decoded, with
    /// the frame it names: what `restore` needs that does not depend on the store, so a worker
    /// computes it while its store opens. Only the snapshots whose frame is the store's
    /// position are installed afterwards; the others cost their read and nothing else.
    struct ReadAhead: Sendable {
        var slots: [UInt32: (frame: SearchIndexSnapshotFrame, decoded: SlotSearchIndex.DecodedSlot)] = [:]
        var checkedBytes = 0
        var checkTook = Duration.zero
        var decodeTook = Duration.zero
    }

    /// Maps and checks every snapshot file, then decodes the intact ones, each on every core
    /// (two passes, so the start-up log says what each costs).
    func readAhead(for index: SlotSearchIndex) -> ReadAhead {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let slots = names.filter { $0.hasSuffix(".sidx") }.compactMap(Self.slot(ofFile:)).sorted()
        var result = ReadAhead()
        let clock = ContinuousClock()
        var started = clock.now
        let checked = Mutex([(file: MappedFile, frame: SearchIndexSnapshotFrame)?](repeating: nil, count: slots.count))
        DispatchQueue.concurrentPerform(iterations: slots.count) { i in
            let headerSize = SearchIndexSnapshotFrame.headerSize
            guard let file = MappedFile(path: path(of: slots[i])), file.bytes.count >= headerSize,
                  let header = SearchIndexSnapshotFrame.header(of: Array(UnsafeRawBufferPointer(rebasing: file.bytes[0..<headerSize]))[...]),
                  header.frame.slot == slots[i], header.frame.payload(in: file.bytes) != nil
            else { return }
            checked.withLock { $0[i] = (file, header.frame) }
        }
        let files = checked.withLock { $0 }
        result.checkedBytes = files.reduce(0) { $0 + ($1?.file.bytes.count ?? 0) }
        result.checkTook = clock.now - started
        started = clock.now
        let decoded = Mutex([SlotSearchIndex.DecodedSlot?](repeating: nil, count: slots.count))
        DispatchQueue.concurrentPerform(iterations: slots.count) { i in
            guard let file = files[i]?.file,
                  case .success(let slotIndex) = index.decode(slot: slots[i], bytes: UnsafeRawBufferPointer(rebasing: file.bytes[SearchIndexSnapshotFrame.headerSize...]))
            else { return }
            decoded.withLock { $0[i] = slotIndex }
        }
        for (i, slotIndex) in decoded.withLock({ $0 }).enumerated() {
            if let slotIndex, let frame = files[i]?.frame { result.slots[slots[i]] = (frame, slotIndex) }
        }
        result.decodeTook = clock.now - started
        return result
    }

    /// Fills `index` with every slot `store` holds: from its snapshot when that matches the
    /// slot's position exactly, otherwise rebuilt from the store. Files of slots the store no
    /// longer holds are removed. `readAhead` is `readAhead(for: index)` when the caller
    /// computed it already (while the store opened).
    func restore(into index: SlotSearchIndex, from store: ChunkStore, readAhead read: ReadAhead? = nil) throws(StrataError) -> Restore {
        let read = read ?? readAhead(for: index)
        var report = Restore(checkedBytes: read.checkedBytes, checkTook: read.checkTook, decodeTook: read.decodeTook)
        let positions = store.slotPositions()
        let slots = positions.keys.sorted()
        let reader = SlotSearchIndex.reader(store)
        var found: [UInt32: SearchIndexSnapshotFrame] = [:]
        for slot in slots {
            let frame = SearchIndexSnapshotFrame(slot: slot, sequence: positions[slot]!.sequence, digest: positions[slot]!.digest)
            if let snapshot = read.slots[slot], snapshot.frame == frame, (try? index.install(snapshot.decoded)) != nil {
                report.loaded += 1
                found[slot] = frame
            } else {
                try index.rebuild(slot: slot, namespace: nil, reader: reader)
                report.rebuilt += 1
            }
        }
        for (slot, namespace) in index.shardsMissingTheirDimension() {
            try index.rebuild(slot: slot, namespace: namespace, reader: reader)
            found[slot] = nil  // its file no longer matches the index: written again at the next save
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard let slot = Self.slot(ofFile: name), positions[slot] == nil || name.hasSuffix(".tmp") else { continue }
            try? FileManager.default.removeItem(atPath: "\(directory)/\(name)")
        }
        onDisk.withLock { $0 = found }
        return report
    }

    /// Writes the snapshot of every slot whose position moved since its file was written.
    /// Each slot's shards are taken under its write lock (the store's position and the index
    /// agree; copy-on-write, so writes are held up only for the copy), then encoded and
    /// written outside it. Returns how many files were written.
    @discardableResult
    func save(_ index: SlotSearchIndex, store: ChunkStore, locks: SlotWriteLocks) throws(StrataError) -> Int {
        saving.lock()
        defer { saving.unlock() }
        let disk = onDisk.withLock { $0 }
        let moved = store.slotPositions().filter { slot, position in
            disk[slot] != SearchIndexSnapshotFrame(slot: slot, sequence: position.sequence, digest: position.digest)
        }
        guard !moved.isEmpty else { return 0 }
        try PosixFileSystem().createDirectory(directory)
        var written = 0
        for slot in moved.keys.sorted() {
            let captured = locks.withLock(slot: slot) { () -> (SearchIndexSnapshotFrame, SlotSearchIndex.SlotShards)? in
                guard let position = store.slotPositions()[slot] else { return nil }
                let frame = SearchIndexSnapshotFrame(slot: slot, sequence: position.sequence, digest: position.digest)
                guard onDisk.withLock({ $0[slot] }) != frame else { return nil }
                return (frame, index.shards(ofSlot: slot))
            }
            guard let (frame, shards) = captured else { continue }
            try write(frame.framing(index.snapshotPayload(shards)), to: path(of: slot))
            onDisk.withLock { $0[slot] = frame }
            written += 1
        }
        return written
    }

    /// Forgets a dropped slot's snapshot.
    func remove(slot: UInt32) {
        onDisk.withLock { $0[slot] = nil }
        try? FileManager.default.removeItem(atPath: path(of: slot))
    }

    private func write(_ bytes: [UInt8], to path: String) throws(StrataError) {
        let fs = PosixFileSystem()
        let temp = path + ".tmp"
        let file = try fs.open(temp, create: true)
        do throws(StrataError) {
            defer { file.close() }
            try file.truncate(to: 0)
            try file.write(bytes, at: 0)
        } catch {
            try? fs.remove(temp)
            throw error
        }
        do throws(StrataError) { try fs.rename(temp, to: path) } catch {
            try? fs.remove(temp)
            throw error
        }
    }

    /// The slot a snapshot file (or its temporary) is named after.
    static func slot(ofFile name: String) -> UInt32? {
        guard name.hasPrefix("slot-") else { return nil }
        let rest = name.dropFirst(5)
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        return UInt32(rest[..<dot])
    }
}
