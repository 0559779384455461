import StrataCore
import StrataText

/// A directory as a sync sees it: every text file's document id, path, size and content
/// hash, plus what was skipped (binary, invalid UTF-8, too large, unreadable) and why.
public struct LocalTree: Sendable {
    public struct File: Sendable, Equatable {
        public var documentID: String
        public var path: String
        public var bytes: Int
        public var hash: String
    }

    /// Text files in id order.
    public var files: [File] = []
    public var skipped: [SkippedFile] = []

    /// Scans `root` (ignore rules and `.gitignore`s as `DirectoryScanner`) and reads and
    /// hashes every candidate file; each file is read once and its bytes dropped at once.
    public static func scan(root: String, settings: FileBatcherSettings) throws -> LocalTree {
        let scan = try DirectoryScanner(root: root, settings: settings).scan()
        var tree = LocalTree(files: [], skipped: scan.skipped)
        tree.files.reserveCapacity(scan.files.count)
        for file in scan.files {
            switch read(file.path, settings: settings) {
            case .success(let bytes):
                tree.files.append(File(documentID: file.documentID, path: file.path, bytes: bytes.count, hash: DocumentHash.of(bytes)))
            case .failure(let skip):
                tree.skipped.append(SkippedFile(path: file.path, reason: skip.reason))
            }
        }
        return tree
    }

    /// Why a file is not text (wrapped as an error for `Result`).
    public struct Skip: Error {
        public var reason: SkipReason
    }

    /// A file's bytes when they are ingestible text (see `TextFile`); an empty file is
    /// skipped too (the server refuses empty documents).
    public static func read(_ path: String, settings: FileBatcherSettings) -> Result<[UInt8], Skip> {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path, limit: settings.maxFileBytes)
        } catch {
            // Gone since the scan, unreadable, or grown past the limit: the message says which.
            return .failure(Skip(reason: .unreadable(error.message)))
        }
        if bytes.isEmpty { return .failure(Skip(reason: .unreadable("empty file: nothing to store"))) }
        if let reason = bytes.withUnsafeBufferPointer({ TextFile.skipReason($0, probeBytes: settings.binaryProbeBytes) }) {
            return .failure(Skip(reason: reason))
        }
        return .success(bytes)
    }
}
