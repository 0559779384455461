import Foundation
import StrataCore
import Synchronization

/// The control plane in one coordinator's data directory: the embedded default, for a
/// cluster with a single coordinator and nothing else to run.
///
/// Each record is its file, exactly as the single coordinator has always written it
/// (`ControlPlaneRecord.fileName`), so an existing data directory is read as it is; the
/// high-water marks are `high-water-marks.json` (slot → sequence; a directory from before
/// it has none). Every write is atomic per file (temp file, fsync, rename, fsync of the
/// directory: `AtomicFile`) and durable before `commit` returns. A batch of several records
/// is written file by file in `ControlPlaneRecord` order, marks last: after a crash in the
/// middle, the earlier files are new and the later ones old -- as with the separate writes
/// the coordinator made before this store existed.
///
/// Leadership: the store takes an exclusive lock on `control-plane.lock` (a second process
/// on the same directory is refused), and the holder is the permanent leader. Its epoch
/// comes from `coordinator-epoch`, raised by one and written before each open completes, so
/// epochs grow across restarts as etcd's do. Revisions count commits since the open; every
/// record present at the open is at revision 1.
///
/// `watch` reports the commits made through this instance (there is no other writer).
public final class LocalFileControlPlaneStore: ControlPlaneStore {
    public static let highWaterMarksFileName = "high-water-marks.json"
    public static let epochFileName = "coordinator-epoch"
    public static let lockFileName = "control-plane.lock"

    public let directory: String
    /// This process's leadership of the directory.
    public let leader: LeaderToken

    private struct State {
        var revision: ControlPlaneRevision
        var records: [ControlPlaneRecord: StoredRecord]
        var highWaterMarks: [Int: UInt64]
        var watchers: [Int: AsyncThrowingStream<ControlPlaneUpdate, any Error>.Continuation] = [:]
        var nextWatcher = 0
        var lockDescriptor: Int32?
    }

    private let state: Mutex<State>
    /// Where `commit` writes (one at a time, in the order asked; `commitNow` shares the lock).
    private let writer = DispatchQueue(label: "strata.control-plane.local-files")

    /// Opens the directory (created if missing), takes its lock, raises the epoch and reads
    /// every record. Another process holding the lock is `.unavailable` naming the lock file.
    public init(directory: String) throws(ControlPlaneError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ControlPlaneError(.unavailable, "cannot create the data directory \(directory): \(error)")
        }
        let lockPath = "\(directory)/\(Self.lockFileName)"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ControlPlaneError(.unavailable, "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard Self.lock(descriptor) else {
            Foundation.close(descriptor)
            throw ControlPlaneError(.unavailable, "\(directory) is in use by another coordinator (it holds \(lockPath))")
        }
        do {
            var records: [ControlPlaneRecord: StoredRecord] = [:]
            for record in ControlPlaneRecord.allCases {
                if let bytes = FileManager.default.contents(atPath: "\(directory)/\(record.fileName)") {
                    records[record] = StoredRecord(bytes: [UInt8](bytes), revision: ControlPlaneRevision(1))
                }
            }
            let marks = try Self.readMarks("\(directory)/\(Self.highWaterMarksFileName)")
            let epoch = try Self.raiseEpoch("\(directory)/\(Self.epochFileName)")
            leader = LeaderToken(key: Array("local:\(directory)".utf8), epoch: epoch, lease: 0)
            state = Mutex(State(revision: ControlPlaneRevision(records.isEmpty && marks.isEmpty ? 0 : 1), records: records,
                                highWaterMarks: marks, lockDescriptor: descriptor))
        } catch {
            Foundation.close(descriptor)
            throw error
        }
    }

    deinit {
        close()
    }

    /// Releases the lock and ends every watch. Later commits are `.unavailable`.
    public func close() {
        let (descriptor, watchers) = state.withLock { state in
            defer {
                state.lockDescriptor = nil
                state.watchers.removeAll()
            }
            return (state.lockDescriptor, Array(state.watchers.values))
        }
        if let descriptor { Foundation.close(descriptor) }
        for watcher in watchers { watcher.finish() }
    }

    public var location: String { "files in \(directory)" }

    public func load() async throws(ControlPlaneError) -> ControlPlaneSnapshot { snapshot() }

    /// On a thread of its own: the files' fsyncs must not hold a thread of Swift's cooperative
    /// pool (as many threads as cores), which every task of the process shares.
    public func commit(_ batch: ControlPlaneBatch) async throws(ControlPlaneError) -> ControlPlaneRevision {
        let result: Result<ControlPlaneRevision, ControlPlaneError> = await withCheckedContinuation { continuation in
            writer.async { [self] in
                continuation.resume(returning: Result { () throws(ControlPlaneError) -> ControlPlaneRevision in try commitNow(batch) })
            }
        }
        return try result.get()
    }

    /// `load`, without suspending (the files are read at the open): for a coordinator that
    /// starts synchronously on local files.
    public func snapshot() -> ControlPlaneSnapshot {
        state.withLock { ControlPlaneSnapshot(revision: $0.revision, records: $0.records, highWaterMarks: $0.highWaterMarks) }
    }

    /// `commit`, without suspending (each file is written and fsynced on the calling thread).
    public func commitNow(_ batch: ControlPlaneBatch) throws(ControlPlaneError) -> ControlPlaneRevision {
        try batch.validate()
        return try state.withLock { (state: inout State) throws(ControlPlaneError) -> ControlPlaneRevision in
            guard state.lockDescriptor != nil else { throw ControlPlaneError(.unavailable, "the control plane in \(directory) is closed") }
            if let token = batch.leader, token != leader {
                throw ControlPlaneError(.notLeader, "\(token) does not hold \(directory) (its holder is \(leader))")
            }
            for (record, expected) in batch.expectedRevisions.sorted(by: { $0.key < $1.key }) {
                let found = state.records[record]?.revision ?? .zero
                guard found == expected else {
                    throw ControlPlaneError(.conflict, "the \(record.rawValue) record changed: expected revision \(expected.value), found \(found.value)")
                }
            }
            let revision = ControlPlaneRevision(state.revision.value + 1)
            for (record, bytes) in batch.records.sorted(by: { $0.key < $1.key }) {
                let path = "\(directory)/\(record.fileName)"
                if let bytes {
                    try Self.write(bytes, to: path)
                    state.records[record] = StoredRecord(bytes: bytes, revision: revision)
                } else {
                    try Self.remove(path, in: directory)
                    state.records[record] = nil
                }
            }
            if !batch.highWaterMarks.isEmpty {
                var marks = state.highWaterMarks
                marks.merge(batch.highWaterMarks) { $1 }
                try Self.write(try Self.encodeMarks(marks), to: "\(directory)/\(Self.highWaterMarksFileName)")
                state.highWaterMarks = marks
            }
            state.revision = revision
            // Under the lock, so that watchers see commits in revision order.
            let update = ControlPlaneUpdate(revision: revision, records: batch.records, highWaterMarks: batch.highWaterMarks)
            for watcher in state.watchers.values { watcher.yield(update) }
            return revision
        }
    }

    public func watch(after revision: ControlPlaneRevision) -> AsyncThrowingStream<ControlPlaneUpdate, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ControlPlaneUpdate, any Error>.makeStream()
        enum Registration { case closed, behind, watching(Int) }
        let registration = state.withLock { state -> Registration in
            guard state.lockDescriptor != nil else { return .closed }
            // Only this instance writes, so nothing lies between the caller's revision and now
            // unless the caller is behind: then it must reload.
            guard revision >= state.revision else { return .behind }
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = continuation
            return .watching(id)
        }
        switch registration {
        case .closed:
            continuation.finish()
        case .behind:
            continuation.finish(throwing: ControlPlaneError(.unavailable, "the local control plane is past revision \(revision.value); reload and watch again"))
        case .watching(let id):
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
            }
        }
        return stream
    }

    // MARK: files

    /// Takes the exclusive lock, waiting up to a second: a process forked by this one (or by
    /// the previous holder) between fork and exec still shares the lock for a moment after its
    /// holder closed it. A coordinator that really holds it holds it for longer.
    private static func lock(_ descriptor: Int32) -> Bool {
        for _ in 0..<100 {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
            guard errno == EWOULDBLOCK || errno == EINTR else { return false }
            usleep(10_000)
        }
        return false
    }

    private static func write(_ bytes: [UInt8], to path: String) throws(ControlPlaneError) {
        do {
            try AtomicFile.replace(path, with: bytes)
        } catch {
            throw ControlPlaneError(.unavailable, "cannot write \(path): \(error.message)")
        }
    }

    private static func remove(_ path: String, in directory: String) throws(ControlPlaneError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw ControlPlaneError(.unavailable, "cannot remove \(path): \(String(cString: strerror(errno)))")
        }
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { Foundation.close(descriptor) }
        _ = fsync(descriptor)
    }

    static func encodeMarks(_ marks: [Int: UInt64]) throws(ControlPlaneError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        do {
            return [UInt8](try encoder.encode(Dictionary(uniqueKeysWithValues: marks.map { (String($0.key), $0.value) })))
        } catch {
            throw ControlPlaneError(.invalid, "cannot encode high-water marks: \(error)")
        }
    }

    private static func readMarks(_ path: String) throws(ControlPlaneError) -> [Int: UInt64] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        let decoded: [String: UInt64]
        do {
            decoded = try JSONDecoder().decode([String: UInt64].self, from: data)
        } catch {
            throw ControlPlaneError(.corrupt, "\(path) cannot be read: \(error)")
        }
        var marks: [Int: UInt64] = [:]
        for (key, value) in decoded {
            guard let slot = Int(key), EtcdControlPlaneLayout.slots.contains(slot) else {
                throw ControlPlaneError(.corrupt, "\(path): \"\(key)\" is not a slot number")
            }
            marks[slot] = value
        }
        return marks
    }

    private static func raiseEpoch(_ path: String) throws(ControlPlaneError) -> Int64 {
        var previous: Int64 = 0
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let value = Int64(text), value >= 0 else { throw ControlPlaneError(.corrupt, "\(path) holds \"\(text)\", not an epoch number") }
            previous = value
        }
        let epoch = previous + 1
        try write(Array("\(epoch)\n".utf8), to: path)
        return epoch
    }
}
