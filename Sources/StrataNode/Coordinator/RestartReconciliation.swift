import Foundation
import StrataCluster

/// The coordinator keeps the slots a restart still waits for in the control plane's
/// `restartPending` record (`restart-pending.json` on local files), so that a coordinator
/// restarting again -- or taking the lead -- before they are confirmed does not forget them
/// (the pure rule is StrataCluster's `RestartReconciliation`).
extension RestartReconciliation {
    /// The bytes of the `restartPending` record.
    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return [UInt8](try encoder.encode(self))
    }
}
