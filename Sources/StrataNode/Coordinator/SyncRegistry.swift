import Foundation
import StrataCore
import StrataWire
import Synchronization

/// The coordinator's record of directory syncs, per namespace (see `SyncRules`), persisted
/// atomically in `syncs.json` on every report so that status tells the truth after a restart.
/// Coordinators sharing etcd also keep it in the control plane's `syncs` record (the leader
/// takes the reports and publishes `sharedRecord`; the others `adopt` it), so the next leader
/// shows the syncs reported to the previous one.
final class SyncRegistry: Sendable {
    private struct File: Codable {
        var formatVersion = 1
        var namespaces: [String: SyncRules.Book]
    }

    private let path: String
    private let staleAfterMs: Int64
    private let nowMs: @Sendable () -> Int64
    private let books: Mutex<[String: SyncRules.Book]>

    init(dataDirectory: String, staleAfterMs: Int,
         nowMs: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) throws {
        path = dataDirectory + "/syncs.json"
        self.staleAfterMs = Int64(staleAfterMs)
        self.nowMs = nowMs
        let file = try JSONStateFile.load(File.self, from: path, formatVersion: \.formatVersion, reads: 1)
        books = Mutex(file?.namespaces ?? [:])
    }

    /// Validates and keeps a report; returns it as kept (with the coordinator's timestamps).
    func record(_ report: SyncRecord) throws -> SyncRecord {
        try SyncRules.validate(report)
        let now = nowMs()
        return try books.withLock { (books: inout [String: SyncRules.Book]) throws -> SyncRecord in
            let (book, kept) = try SyncRules.apply(report, to: books[report.namespace] ?? .init(), nowMs: now)
            var next = books
            next[report.namespace] = book
            try persist(next)
            books = next
            return kept
        }
    }

    /// The namespace's last and running sync as status shows them now.
    func status(_ namespace: String) -> SyncRules.Book {
        let book = books.withLock { $0[namespace] } ?? .init()
        return SyncRules.view(book, nowMs: nowMs(), staleAfterMs: staleAfterMs)
    }

    /// Forgets a dropped namespace's syncs.
    func forget(_ namespace: String) throws {
        try books.withLock { (books: inout [String: SyncRules.Book]) throws in
            guard books[namespace] != nil else { return }
            var next = books
            next.removeValue(forKey: namespace)
            try persist(next)
            books = next
        }
    }

    /// Every namespace's syncs, as the control plane's `syncs` record holds them.
    func sharedRecord() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return [UInt8](try encoder.encode(File(namespaces: books.withLock { $0 })))
    }

    /// Takes the control plane's `syncs` record (the leader wrote it).
    func adopt(_ bytes: [UInt8]) throws {
        let shared = try JSONDecoder().decode(File.self, from: Data(bytes)).namespaces
        try books.withLock { (books: inout [String: SyncRules.Book]) throws in
            guard shared != books else { return }
            try persist(shared)
            books = shared
        }
    }

    private func persist(_ books: [String: SyncRules.Book]) throws {
        try JSONStateFile.save(File(namespaces: books), to: path)
    }
}
