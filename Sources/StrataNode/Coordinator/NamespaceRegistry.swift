import Foundation
import StrataCore
import StrataWire
import Synchronization

/// The coordinator's namespaces: their fixed settings, and a tally of the documents in each
/// (document id → chunks, tokens, content hash), persisted as a snapshot (`namespaces.json`,
/// replaced atomically when a namespace is created or dropped, and when the journal grows)
/// plus a journal of tally changes (`namespaces.journal`, see `TallyJournal`), so recording
/// an ingest batch appends its own changes instead of rewriting every document.
///
/// The tally is what `ListNamespaces` reports; it is kept here rather than asked of the
/// workers because only the coordinator sees whole documents. It grows with the number of
/// documents (about 100 bytes each): fine for millions, a scaling limit to revisit beyond.
final class NamespaceRegistry: Sendable {
    struct Settings: Codable, Equatable, Sendable {
        var dimension: UInt32
        var tokenizer: String
        var metric: UInt32
        var chunkChars: UInt32
        var chunkOverlap: UInt32
        var createdAtUnix: Int64
        /// The server-side embedder's model id ("minilm-l6"); nil: none. Optional so that
        /// files written before embedders existed read as namespaces without one.
        var embedder: String?
    }

    struct Tally: Codable, Equatable, Sendable {
        var chunks: UInt64
        var tokens: UInt64
        /// XXH3-128 of the document's text, 32 hex digits (see `DocumentContentHash`); nil while
        /// the stored content is not known: an ingest of the document was interrupted (it may
        /// hold the old content or the new), or it was stored before hashes were kept.
        var contentHash: String? = nil

        /// Whether the namespace's document count includes it: a document that was never
        /// stored, only marked before a write that then failed (no hash, nothing counted), is
        /// listed (so that a sync resends or deletes it) but not counted, so that the count
        /// agrees with what ingests acknowledged. Every stored document has a chunk.
        var isCounted: Bool { contentHash != nil || chunks > 0 }
    }

    struct Namespace: Codable, Sendable {
        var settings: Settings
        var documents: [String: Tally] = [:]
    }

    private struct File: Codable {
        var formatVersion = 1
        var namespaces: [String: Namespace]
    }

    /// One journal entry: upserts and deletes (nil) of one namespace's tally.
    private struct JournalEntry: Codable {
        var namespace: String
        var changes: [String: Tally?]
    }

    private let path: String
    private let state: Mutex<[String: Namespace]>
    /// Guarded by `state`'s lock: taken only while it is held.
    private let journal: Mutex<(file: TallyJournal, compactAt: Int)>
    /// The journal is folded into a new snapshot once it is this big, or as big as the last
    /// snapshot if that is bigger (so rewriting the snapshot stays proportional to the appends).
    private let minimumCompactionBytes: Int

    init(dataDirectory: String, minimumCompactionBytes: Int = 8 << 20) throws {
        self.minimumCompactionBytes = minimumCompactionBytes
        path = dataDirectory + "/namespaces.json"
        var namespaces = try JSONStateFile.load(File.self, from: path, formatVersion: \.formatVersion, reads: 1)?.namespaces ?? [:]
        let file = try TallyJournal(path: dataDirectory + "/namespaces.journal")
        let entries = try file.replay()
        for payload in entries {
            let entry: JournalEntry
            do {
                entry = try JSONDecoder().decode(JournalEntry.self, from: Data(payload))
            } catch {
                throw StrataError(.dataLoss, "\(dataDirectory)/namespaces.journal holds an entry that cannot be read: \(error)")
            }
            Self.apply(entry.changes, to: &namespaces[entry.namespace])
        }
        state = Mutex(namespaces)
        journal = Mutex((file, minimumCompactionBytes))
        if !entries.isEmpty { try state.withLock { try persist($0) } }
    }

    /// Creates a namespace; the same request again is a no-op, other settings are ALREADY_EXISTS.
    func create(_ request: CreateNamespaceRequest) throws -> NamespaceInfo {
        let dimension = try NamespaceRules.validate(request)
        let settings = Settings(
            dimension: dimension, tokenizer: request.tokenizer.rawValue, metric: request.metric.rawValue,
            chunkChars: request.chunkChars == 0 ? 1024 : request.chunkChars, chunkOverlap: request.chunkOverlap,
            createdAtUnix: Int64(Date().timeIntervalSince1970), embedder: request.embedder.isEmpty ? nil : request.embedder)
        return try state.withLock { (namespaces: inout [String: Namespace]) throws -> NamespaceInfo in
            if let existing = namespaces[request.name] {
                var same = existing.settings
                same.createdAtUnix = settings.createdAtUnix
                guard same == settings else {
                    throw StrataError(.alreadyExists, "namespace \(request.name) exists with other settings (dimension \(existing.settings.dimension), tokenizer \(existing.settings.tokenizer), embedder \(existing.settings.embedder ?? "none"))")
                }
                return Self.info(request.name, existing)
            }
            namespaces[request.name] = Namespace(settings: settings)
            try persist(namespaces)
            return Self.info(request.name, namespaces[request.name]!)
        }
    }

    /// The settings of a namespace, or NOT_FOUND naming it.
    func settings(_ name: String) throws(StrataError) -> Settings {
        guard let namespace = state.withLock({ $0[name] }) else {
            throw StrataError(.notFound, "namespace \(name) does not exist (create it first: strata namespace create \(name))")
        }
        return namespace.settings
    }

    /// Every namespace with an embedder, and its settings.
    func embedded() -> [(name: String, settings: Settings)] {
        state.withLock { namespaces in
            namespaces.keys.sorted().compactMap { name in
                namespaces[name]!.settings.embedder == nil ? nil : (name, namespaces[name]!.settings)
            }
        }
    }

    func list() -> [NamespaceInfo] {
        state.withLock { namespaces in namespaces.keys.sorted().map { Self.info($0, namespaces[$0]!) } }
    }

    /// Forgets the namespace; returns how many documents it held.
    func drop(_ name: String) throws -> UInt64 {
        try state.withLock { (namespaces: inout [String: Namespace]) throws -> UInt64 in
            guard let removed = namespaces.removeValue(forKey: name) else {
                throw StrataError(.notFound, "namespace \(name) does not exist")
            }
            try persist(namespaces)
            return UInt64(removed.documents.count)
        }
    }

    /// Records acknowledged upserts and deletes (nil tally = deleted), durably, in one append.
    func record(_ name: String, _ changes: [String: Tally?]) throws {
        guard !changes.isEmpty else { return }
        try state.withLock { (namespaces: inout [String: Namespace]) throws in
            guard namespaces[name] != nil else { return }  // dropped meanwhile
            try append(name, changes, to: &namespaces)
        }
    }

    /// Marks documents about to be written as unsettled (content hash unknown), durably,
    /// before any replica sees the write: if the write then fails half-way, or the coordinator
    /// stops, the tally still lists every document a replica may hold, and a directory sync
    /// sends it again instead of trusting an old hash or forgetting it.
    func markUnsettled(_ name: String, _ documents: [String]) throws {
        guard !documents.isEmpty else { return }
        try state.withLock { (namespaces: inout [String: Namespace]) throws in
            guard let namespace = namespaces[name] else { return }
            var changes: [String: Tally?] = [:]
            for document in documents {
                if var tally = namespace.documents[document] {
                    guard tally.contentHash != nil else { continue }
                    tally.contentHash = nil
                    changes[document] = tally
                } else {
                    changes[document] = Tally(chunks: 0, tokens: 0)
                }
            }
            if !changes.isEmpty { try append(name, changes, to: &namespaces) }
        }
    }

    /// A page of the namespace's documents in id order: ids with `prefix` after `after`, at
    /// most `limit`; `next` is the last id returned when more may follow. NOT_FOUND for an
    /// unknown namespace.
    func documents(_ name: String, prefix: String, after: String, limit: Int) throws(StrataError) -> (entries: [(id: String, tally: Tally)], next: String) {
        let page: (entries: [(id: String, tally: Tally)], next: String)? = state.withLock { namespaces in
            guard let namespace = namespaces[name] else { return nil }
            let ids = namespace.documents.keys.filter { $0.hasPrefix(prefix) && after.utf8.lexicographicallyPrecedes($0.utf8) }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let taken = ids.prefix(limit)
            return (taken.map { ($0, namespace.documents[$0]!) }, ids.count > limit ? taken.last! : "")
        }
        guard let page else { throw StrataError(.notFound, "namespace \(name) does not exist") }
        return page
    }

    /// The tally of one document; nil when the namespace does not hold it.
    func tally(_ name: String, document: String) -> Tally? {
        state.withLock { $0[name]?.documents[document] }
    }

    /// Documents of the namespace whose stored content is not known (see `markUnsettled`).
    func unsettledCount(_ name: String) -> UInt64 {
        state.withLock { UInt64($0[name]?.documents.values.count { $0.contentHash == nil } ?? 0) }
    }

    /// Whether the namespace holds this document.
    func contains(_ name: String, document: String) -> Bool {
        state.withLock { $0[name]?.documents[document] != nil }
    }

    // MARK: shared settings (coordinators on etcd)

    /// Every namespace's settings, as the control plane's `namespaces` record holds them when
    /// coordinators share etcd (tallies stay with each coordinator's files).
    func settingsRecord() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return [UInt8](try encoder.encode(state.withLock { $0.mapValues(\.settings) }))
    }

    /// Takes the namespaces of a `settingsRecord` (another coordinator created or dropped
    /// some): new ones are added, those absent forgotten, the others kept with their tallies.
    func adoptSettings(_ bytes: [UInt8]) throws {
        let shared = try JSONDecoder().decode([String: Settings].self, from: Data(bytes))
        try state.withLock { (namespaces: inout [String: Namespace]) throws in
            var adopted = namespaces.filter { shared[$0.key] != nil }
            for (name, settings) in shared where adopted[name]?.settings != settings {
                adopted[name] = Namespace(settings: settings, documents: adopted[name]?.documents ?? [:])
            }
            guard Set(adopted.keys) != Set(namespaces.keys) || adopted.contains(where: { namespaces[$0.key]?.settings != $0.value.settings }) else { return }
            namespaces = adopted
            try persist(namespaces)
        }
    }

    /// Writes the snapshot and empties the journal it now holds (under `state`'s lock).
    private func persist(_ namespaces: [String: Namespace]) throws {
        let bytes = try JSONStateFile.save(File(namespaces: namespaces), to: path)
        try journal.withLock { journal in
            try journal.file.reset()
            journal.compactAt = max(minimumCompactionBytes, bytes)
        }
    }

    /// Journals one namespace's changes, then applies them (under `state`'s lock); folds the
    /// journal into a snapshot when it has grown past the last snapshot's size.
    private func append(_ name: String, _ changes: [String: Tally?], to namespaces: inout [String: Namespace]) throws {
        let payload = [UInt8](try JSONEncoder().encode(JournalEntry(namespace: name, changes: changes)))
        let compact = try journal.withLock { journal in
            try journal.file.append(payload)
            return journal.file.bytes >= journal.compactAt
        }
        Self.apply(changes, to: &namespaces[name])
        if compact { try persist(namespaces) }
    }

    private static func apply(_ changes: [String: Tally?], to namespace: inout Namespace?) {
        guard namespace != nil else { return }  // dropped since
        for (document, tally) in changes { namespace!.documents[document] = tally }
    }

    private static func info(_ name: String, _ namespace: Namespace) -> NamespaceInfo {
        let s = namespace.settings
        return NamespaceInfo(
            name: name, dimension: s.dimension, tokenizer: TokenizerKind(rawValue: s.tokenizer) ?? .cl100k,
            metric: Metric(rawValue: s.metric) ?? .cosine, chunkChars: s.chunkChars, chunkOverlap: s.chunkOverlap,
            documents: UInt64(namespace.documents.values.filter(\.isCounted).count),
            chunks: namespace.documents.values.reduce(0) { $0 + $1.chunks },
            tokens: namespace.documents.values.reduce(0) { $0 + $1.tokens },
            createdAtUnix: s.createdAtUnix, embedder: s.embedder ?? "")
    }
}
