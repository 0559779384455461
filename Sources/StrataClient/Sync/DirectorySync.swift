import Foundation
import StrataCore
import StrataRPC
import StrataText
import StrataWire

/// Makes a namespace mirror a directory: scans and hashes the directory, lists the
/// namespace's documents with their hashes, sends only the files that are new or changed,
/// deletes the documents whose files are gone, and reports its plan and progress to the
/// coordinator (RecordSync) so status tells the truth while it runs and after.
///
/// It is safe to kill at any point: the coordinator marks documents unsettled before it
/// writes them and records deletes only once done, so a rerun sees whatever was left half
/// done as changed or still present, and finishes the mirror.
public struct DirectorySync: Sendable {
    public struct Options: Sendable {
        public var namespace: String
        public var root: String
        /// Ignore patterns, file-size limit and binary probe (the ingest rules).
        public var settings: FileBatcherSettings
        /// Files per ingest batch and text bytes per batch.
        public var batchFiles = 800
        public var batchBytes = 8 << 20
        /// Ids per DeleteDocuments call.
        public var deleteBatch = 1000

        public init(namespace: String, root: String, settings: FileBatcherSettings = .default) {
            self.namespace = namespace
            self.root = root
            self.settings = settings
        }
    }

    /// What a sync did.
    public struct Outcome: Sendable {
        /// The final record, as the coordinator kept it.
        public var record: SyncRecord
        /// Files skipped, with why (binary, too large, unreadable, rejected by the server).
        public var skipped: [SkippedFile]
        /// Documents the server refused, with why.
        public var rejected: [DocumentError]
        public var seconds: Double
    }

    public let client: CoordinatorClient
    public let options: Options

    public init(client: CoordinatorClient, options: Options) {
        self.client = client
        self.options = options
    }

    /// Runs one sync. `progress` sees the record after each step (planned, each batch).
    public func run(progress: @Sendable (SyncRecord) -> Void = { _ in }) async throws -> Outcome {
        let started = ContinuousClock.now
        let namespace = options.namespace
        let tree = try LocalTree.scan(root: options.root, settings: options.settings)
        let remote = try await client.allDocuments(namespace: namespace)
        let plan = SyncPlan.make(local: Dictionary(uniqueKeysWithValues: tree.files.map { ($0.documentID, $0.hash) }),
                                 remote: Dictionary(remote.map { ($0.documentID, $0.contentHash) }, uniquingKeysWith: { first, _ in first }))
        let byID = Dictionary(uniqueKeysWithValues: tree.files.map { ($0.documentID, $0) })
        var record = SyncRecord(syncID: UUID().uuidString.lowercased(), namespace: namespace, source: Self.source(options.root), state: .running)
        record.files = UInt64(tree.files.count)
        record.skipped = UInt64(tree.skipped.count)
        record.toAdd = UInt64(plan.add.count)
        record.toChange = UInt64(plan.change.count)
        record.toDelete = UInt64(plan.delete.count)
        record.unchanged = UInt64(plan.unchanged)
        record.bytesTotal = (plan.add + plan.change).reduce(0) { $0 + UInt64(byID[$1]?.bytes ?? 0) }
        var skipped = tree.skipped
        var rejected: [DocumentError] = []
        if plan.isEmpty {
            record.state = .finished
            record = try await client.recordSync(record)
            progress(record)
            return Outcome(record: record, skipped: skipped, rejected: [], seconds: (ContinuousClock.now - started).seconds)
        }
        record = try await client.recordSync(record)
        progress(record)
        do {
            let existing = Set(remote.map(\.documentID))
            var deletes = plan.delete
            for batch in batches(plan.add + plan.change, byID) {
                var documents: [Document] = []
                var bytes = 0
                for file in batch {
                    switch LocalTree.read(file.path, settings: options.settings) {
                    case .success(let content):
                        documents.append(Document(id: file.documentID, text: String(decoding: content, as: UTF8.self)))
                        bytes += content.count
                    case .failure(let skip):
                        // Changed since the scan into something that is not text (or gone):
                        // it must not stay in the mirror.
                        skipped.append(SkippedFile(path: file.path, reason: skip.reason))
                        if existing.contains(file.documentID) { deletes.append(file.documentID) }
                        record.toDelete = UInt64(deletes.count)
                    }
                }
                let summary = try await client.ingest(namespace: namespace, batches: [documents])
                rejected += summary.rejected
                // A refused new content must not leave the old content standing.
                for refused in summary.rejected where existing.contains(refused.documentID) { deletes.append(refused.documentID) }
                record.toDelete = UInt64(deletes.count)
                record.sent += UInt64(batch.count)
                record.bytesSent = min(record.bytesTotal, record.bytesSent + UInt64(bytes))
                record = try await client.recordSync(record)
                progress(record)
            }
            for start in stride(from: 0, to: deletes.count, by: options.deleteBatch) {
                let ids = Array(deletes[start..<min(deletes.count, start + options.deleteBatch)])
                _ = try await client.deleteDocuments(namespace: namespace, ids: ids)
                record.deleted += UInt64(ids.count)
                record = try await client.recordSync(record)
                progress(record)
            }
            record.skipped = UInt64(skipped.count)
            record.state = .finished
            record = try await client.recordSync(record)
        } catch {
            record.state = .failed
            record.error = String(describing: error).prefix(1000).description
            _ = try? await client.recordSync(record)
            throw error
        }
        progress(record)
        return Outcome(record: record, skipped: skipped, rejected: rejected, seconds: (ContinuousClock.now - started).seconds)
    }

    /// The files to send, in batches bounded by file count and text bytes.
    private func batches(_ ids: [String], _ byID: [String: LocalTree.File]) -> [[LocalTree.File]] {
        var batches: [[LocalTree.File]] = []
        var current: [LocalTree.File] = []
        var bytes = 0
        for id in ids {
            guard let file = byID[id] else { continue }
            if !current.isEmpty && (current.count >= options.batchFiles || bytes + file.bytes > options.batchBytes) {
                batches.append(current)
                current = []
                bytes = 0
            }
            current.append(file)
            bytes += file.bytes
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// "host:/absolute/path", for a human reading status.
    static func source(_ root: String) -> String {
        let path = URL(fileURLWithPath: root).standardizedFileURL.path
        let host = ProcessInfo.processInfo.hostName
        return String((host + ":" + path).utf8.prefix(1024)) ?? path
    }
}
