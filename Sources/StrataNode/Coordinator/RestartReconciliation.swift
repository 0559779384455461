import Foundation
import StrataCluster
import StrataStore

/// The coordinator keeps the slots a restart still waits for in `restart-pending.json`, so that
/// a coordinator restarting again before they are confirmed does not forget them (the pure
/// rule is StrataCluster's `RestartReconciliation`).
extension RestartReconciliation {
    static func load(_ path: String) throws -> RestartReconciliation? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try JSONDecoder().decode(RestartReconciliation.self, from: data)
    }

    func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try AtomicFile.replace(path, with: [UInt8](try encoder.encode(self)))
    }
}
