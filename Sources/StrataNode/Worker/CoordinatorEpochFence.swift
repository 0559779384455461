import Foundation
import StrataCore
import Synchronization

/// A worker's memory of the newest coordinator leadership it has heard from: the highest
/// coordinator epoch seen, kept in `coordinator-epoch-seen` in its data directory (written,
/// fsynced, before a newer epoch's command is carried out, so a restart does not forget it).
/// Commands of an older epoch -- a deposed leader that has not noticed yet -- are refused
/// with FAILED_PRECONDITION. Epoch 0 means "not fenced" (a caller that sets no epoch: tools,
/// tests, coordinators from before fencing) and is let through.
final class CoordinatorEpochFence: Sendable {
    static let fileName = "coordinator-epoch-seen"

    private let path: String
    private let highest: Mutex<UInt64>

    init(dataDirectory: String) throws(StrataError) {
        path = dataDirectory + "/" + Self.fileName
        var seen: UInt64 = 0
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let value = UInt64(text) else { throw StrataError(.dataLoss, "\(path) holds \"\(text)\", not an epoch") }
            seen = value
        }
        highest = Mutex(seen)
    }

    /// The highest epoch seen.
    var epoch: UInt64 { highest.withLock { $0 } }

    /// Lets a command of `epoch` through (recording it when it is the newest), or refuses it.
    func admit(_ epoch: UInt64, doing what: String) throws(StrataError) {
        guard epoch > 0 else { return }
        try highest.withLock { (highest: inout UInt64) throws(StrataError) in
            guard epoch >= highest else {
                throw StrataError(.failedPrecondition, "stale coordinator epoch \(epoch) < \(highest): \(what) refused (a newer coordinator leads)")
            }
            guard epoch > highest else { return }
            do {
                try AtomicFile.replace(path, with: Array("\(epoch)\n".utf8))
            } catch {
                throw StrataError(.unavailable, "cannot record coordinator epoch \(epoch) in \(path): \(error)")
            }
            highest = epoch
        }
    }
}
