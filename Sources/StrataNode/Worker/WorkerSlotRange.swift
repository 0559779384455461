import Foundation
import Logging
import StrataCore
import Synchronization

/// The slots a worker may hold: 0..<S, with S learnt from the coordinator at registration and
/// kept in the data directory (`cluster-slots`) so that a restarted worker knows it before it
/// registers again. Until it has ever registered, S is the worker's own `coordinator.slots`
/// (a standalone worker has no other).
///
/// A write to a slot >= S is refused (INVALID_ARGUMENT). A slot >= S already on disk (a
/// stray write before this check existed) is quarantined: kept on disk, never reported, never
/// served, logged once -- a worker must never report state that keeps it out of its cluster.
final class WorkerSlotRange: Sendable {
    private let path: String
    private let logger: Logger
    private let state: Mutex<(count: Int, quarantined: Set<UInt32>)>

    init(dataDirectory: String, configured: Int, logger: Logger) {
        path = dataDirectory + "/cluster-slots"
        self.logger = logger
        let stored = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        state = Mutex((stored.flatMap { $0 > 0 ? $0 : nil } ?? configured, []))
    }

    var count: Int { state.withLock { $0.count } }

    /// Takes S from a registration answer (0: an older coordinator that does not say).
    func learn(_ count: UInt32) {
        guard count > 0 else { return }
        let changed = state.withLock { state -> Bool in
            defer { state.count = Int(count) }
            return state.count != Int(count)
        }
        guard changed || !FileManager.default.fileExists(atPath: path) else { return }
        do {
            try AtomicFile.replace(path, with: Array("\(count)\n".utf8))
        } catch {
            logger.warning("cannot keep the cluster's slot count", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    /// Refuses a slot outside 0..<S, naming `field`.
    func check(_ slot: UInt32, field: String = "slot") throws(StrataError) {
        let count = self.count
        guard Int(slot) < count else {
            throw StrataError.invalidArgument("\(field): slot \(slot) is out of range 0..<\(count)")
        }
    }

    /// The positions to report: those of slots in range. Slots out of range are logged the
    /// first time they are seen (they stay on disk, quarantined).
    func reportable(_ positions: [UInt32: (sequence: UInt64, digest: UInt64)]) -> [SlotPosition] {
        let (count, newlyQuarantined) = state.withLock { state -> (Int, [UInt32]) in
            let outside = positions.keys.filter { Int($0) >= state.count && !state.quarantined.contains($0) }
            state.quarantined.formUnion(outside)
            return (state.count, outside.sorted())
        }
        if !newlyQuarantined.isEmpty {
            logger.warning("slots outside the cluster's range are kept on disk but neither reported nor served", metadata: [
                "slots": "\(newlyQuarantined)", "slot count": "\(count)",
            ])
        }
        return positions.filter { Int($0.key) < count }.sorted { $0.key < $1.key }.map {
            SlotPosition(slot: Int($0.key), sequence: $0.value.sequence, digest: $0.value.digest)
        }
    }
}
