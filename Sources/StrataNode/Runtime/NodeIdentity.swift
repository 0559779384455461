import Foundation
import StrataCore

/// A node's stable identity, kept in its data directory so that a restarted worker is
/// recognised as the same node (and can catch up by delta instead of a full copy).
public struct NodeIdentity: Sendable, Equatable {
    public let nodeID: String
    /// Increases on every start; tells the coordinator that a process restarted.
    public let incarnation: UInt64

    /// Loads the identity from `dataDirectory`, creating the directory and a new id on first
    /// start, and bumps the incarnation. Files are replaced atomically.
    public static func loadOrCreate(in dataDirectory: String, prefix: String) throws(StrataError) -> NodeIdentity {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw StrataError(.failedPrecondition, "cannot create data directory \(dataDirectory): \(error.localizedDescription)")
        }
        let idPath = dataDirectory + "/node-id"
        let incarnationPath = dataDirectory + "/incarnation"
        var nodeID = (try? String(contentsOfFile: idPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if nodeID.isEmpty {
            nodeID = prefix + "-" + UUID().uuidString.lowercased().prefix(8)
            try writeAtomically(nodeID + "\n", to: idPath)
        }
        let previous = (try? String(contentsOfFile: incarnationPath, encoding: .utf8)).flatMap {
            UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines))
        } ?? 0
        try writeAtomically("\(previous + 1)\n", to: incarnationPath)
        return NodeIdentity(nodeID: nodeID, incarnation: previous + 1)
    }

    private static func writeAtomically(_ text: String, to path: String) throws(StrataError) {
        try AtomicFile.replace(path, with: Array(text.utf8))
    }
}
