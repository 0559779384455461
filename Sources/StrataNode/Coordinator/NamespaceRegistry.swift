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
/// The tally is what `ListNamespaces` and `ListDocuments` report. The coordinator that takes
/// the writes records them here; coordinators sharing etcd also bring their tallies up to
/// the replicas' state (`TallyCatchUp`, which reads the slots' changes from the workers and
/// records them with `catchUp`), so that a new leader lists and counts documents ingested
/// through the previous one. `positions` says, per slot, up to which sequence the tally holds
/// the replicas' state. Each namespace keeps running totals (`Counts`), so `info` and
/// `unsettledCount` do not walk its documents. The tally grows with the number of documents
/// (about 100 bytes each): fine for millions, a scaling limit to revisit beyond.
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

    /// A namespace's running totals over its tally (kept with every change, never walked).
    struct Counts: Equatable, Sendable {
        /// Documents `isCounted`.
        var documents: UInt64 = 0
        var chunks: UInt64 = 0
        var tokens: UInt64 = 0
        /// Documents whose content hash is not known.
        var unsettled: UInt64 = 0

        mutating func add(_ tally: Tally, _ sign: Int) {
            func move(_ value: inout UInt64, _ by: UInt64) { value = sign > 0 ? value &+ by : value &- by }
            move(&documents, tally.isCounted ? 1 : 0)
            move(&chunks, tally.chunks)
            move(&tokens, tally.tokens)
            move(&unsettled, tally.contentHash == nil ? 1 : 0)
        }
    }

    struct Namespace: Codable, Sendable {
        var settings: Settings
        private(set) var documents: [String: Tally] = [:]
        private(set) var counts = Counts()

        private enum CodingKeys: String, CodingKey { case settings, documents }

        init(settings: Settings, documents: [String: Tally] = [:]) {
            self.settings = settings
            for (id, tally) in documents { self[id] = tally }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(settings: try container.decode(Settings.self, forKey: .settings),
                      documents: try container.decodeIfPresent([String: Tally].self, forKey: .documents) ?? [:])
        }

        /// A document's tally; setting it (nil: forgets the document) keeps `counts`.
        subscript(document: String) -> Tally? {
            get { documents[document] }
            set {
                if let old = documents[document] { counts.add(old, -1) }
                if let newValue { counts.add(newValue, 1) }
                documents[document] = newValue
            }
        }
    }

    private struct File: Codable {
        var formatVersion = 1
        var namespaces: [String: Namespace]
        /// Slot → the sequence up to which the tally holds the replicas' state (absent in
        /// files written before coordinators caught up from the replicas).
        var positions: [String: UInt64]?
    }

    /// One journal entry: upserts and deletes (nil) of one namespace's tally, and the slot
    /// positions they bring the tally to (a catch-up's last entry for its slot).
    private struct JournalEntry: Codable {
        var namespace: String
        var changes: [String: Tally?]
        var positions: [String: UInt64]?
    }

    private struct State {
        var namespaces: [String: Namespace]
        var positions: [Int: UInt64]
    }

    private let path: String
    private let state: Mutex<State>
    /// Guarded by `state`'s lock: taken only while it is held.
    private let journal: Mutex<(file: TallyJournal, compactAt: Int)>
    /// The journal is folded into a new snapshot once it is this big, or as big as the last
    /// snapshot if that is bigger (so rewriting the snapshot stays proportional to the appends).
    private let minimumCompactionBytes: Int

    init(dataDirectory: String, minimumCompactionBytes: Int = 8 << 20) throws {
        self.minimumCompactionBytes = minimumCompactionBytes
        path = dataDirectory + "/namespaces.json"
        let saved = try JSONStateFile.load(File.self, from: path, formatVersion: \.formatVersion, reads: 1)
        var namespaces = saved?.namespaces ?? [:]
        var positions = Self.positions(saved?.positions)
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
            positions.merge(Self.positions(entry.positions)) { max($0, $1) }
        }
        state = Mutex(State(namespaces: namespaces, positions: positions))
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
        return try state.withLock { (state: inout State) throws -> NamespaceInfo in
            if let existing = state.namespaces[request.name] {
                var same = existing.settings
                same.createdAtUnix = settings.createdAtUnix
                guard same == settings else {
                    throw StrataError(.alreadyExists, "namespace \(request.name) exists with other settings (dimension \(existing.settings.dimension), tokenizer \(existing.settings.tokenizer), embedder \(existing.settings.embedder ?? "none"))")
                }
                return Self.info(request.name, existing)
            }
            state.namespaces[request.name] = Namespace(settings: settings)
            try persist(state)
            return Self.info(request.name, state.namespaces[request.name]!)
        }
    }

    /// The settings of a namespace, or NOT_FOUND naming it.
    func settings(_ name: String) throws(StrataError) -> Settings {
        guard let namespace = state.withLock({ $0.namespaces[name] }) else {
            throw StrataError(.notFound, "namespace \(name) does not exist (create it first: strata namespace create \(name))")
        }
        return namespace.settings
    }

    /// Every namespace with an embedder, and its settings.
    func embedded() -> [(name: String, settings: Settings)] {
        state.withLock { state in
            let namespaces = state.namespaces
            return namespaces.keys.sorted().compactMap { name in
                namespaces[name]!.settings.embedder == nil ? nil : (name, namespaces[name]!.settings)
            }
        }
    }

    func list() -> [NamespaceInfo] {
        state.withLock { state in state.namespaces.keys.sorted().map { Self.info($0, state.namespaces[$0]!) } }
    }

    /// Forgets the namespace; returns how many documents it held.
    func drop(_ name: String) throws -> UInt64 {
        try state.withLock { (state: inout State) throws -> UInt64 in
            guard let removed = state.namespaces.removeValue(forKey: name) else {
                throw StrataError(.notFound, "namespace \(name) does not exist")
            }
            try persist(state)
            return UInt64(removed.documents.count)
        }
    }

    /// Records acknowledged upserts and deletes (nil tally = deleted), durably, in one append.
    func record(_ name: String, _ changes: [String: Tally?]) throws {
        guard !changes.isEmpty else { return }
        try state.withLock { (state: inout State) throws in
            guard state.namespaces[name] != nil else { return }  // dropped meanwhile
            try append(name, changes, to: &state)
        }
    }

    /// Marks documents about to be written as unsettled (content hash unknown), durably,
    /// before any replica sees the write: if the write then fails half-way, or the coordinator
    /// stops, the tally still lists every document a replica may hold, and a directory sync
    /// sends it again instead of trusting an old hash or forgetting it.
    func markUnsettled(_ name: String, _ documents: [String]) throws {
        guard !documents.isEmpty else { return }
        try state.withLock { (state: inout State) throws in
            guard let namespace = state.namespaces[name] else { return }
            var changes: [String: Tally?] = [:]
            for document in documents {
                if var tally = namespace[document] {
                    guard tally.contentHash != nil else { continue }
                    tally.contentHash = nil
                    changes[document] = tally
                } else {
                    changes[document] = Tally(chunks: 0, tokens: 0)
                }
            }
            if !changes.isEmpty { try append(name, changes, to: &state) }
        }
    }

    /// A page of the namespace's documents in id order: ids with `prefix` after `after`, at
    /// most `limit`; `next` is the last id returned when more may follow. NOT_FOUND for an
    /// unknown namespace.
    func documents(_ name: String, prefix: String, after: String, limit: Int) throws(StrataError) -> (entries: [(id: String, tally: Tally)], next: String) {
        let page: (entries: [(id: String, tally: Tally)], next: String)? = state.withLock { state in
            guard let namespace = state.namespaces[name] else { return nil }
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
        state.withLock { $0.namespaces[name]?[document] }
    }

    /// Documents of the namespace whose stored content is not known (see `markUnsettled`).
    func unsettledCount(_ name: String) -> UInt64 {
        state.withLock { $0.namespaces[name]?.counts.unsettled ?? 0 }
    }

    /// Whether the namespace holds this document.
    func contains(_ name: String, document: String) -> Bool {
        state.withLock { $0.namespaces[name]?[document] != nil }
    }

    // MARK: catching up from the replicas (coordinators on etcd)

    /// The sequence of `slot` up to which the tally holds the replicas' state (0: none).
    func position(slot: Int) -> UInt64 {
        state.withLock { $0.positions[slot] ?? 0 }
    }

    /// Records what a slot's replica holds after this coordinator's position (`changes`:
    /// namespace → document → tally, nil = gone) and moves the slot's position to `through`,
    /// durably (the position goes in the last entry, so a crash in between makes the next
    /// catch-up read the same changes again, which is harmless). Documents of a namespace
    /// this coordinator does not know are skipped: its settings arrive first in the control
    /// plane, so such a namespace was dropped meanwhile.
    func catchUp(slot: Int, _ changes: [String: [String: Tally?]], through: UInt64) throws {
        try state.withLock { (state: inout State) throws in
            let known = changes.filter { state.namespaces[$0.key] != nil && !$0.value.isEmpty }.sorted { $0.key < $1.key }
            for (index, (name, namespaceChanges)) in known.enumerated() {
                try append(name, namespaceChanges, positions: index == known.count - 1 ? [slot: through] : [:], to: &state)
            }
            if known.isEmpty, (state.positions[slot] ?? 0) < through { try append("", [:], positions: [slot: through], to: &state) }
        }
    }

    // MARK: shared settings (coordinators on etcd)

    /// Every namespace's settings, as the control plane's `namespaces` record holds them when
    /// coordinators share etcd (tallies stay with each coordinator's files).
    func settingsRecord() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return [UInt8](try encoder.encode(state.withLock { $0.namespaces.mapValues(\.settings) }))
    }

    /// Takes the namespaces of a `settingsRecord` (another coordinator created or dropped
    /// some): new ones are added, those absent forgotten, the others kept with their tallies.
    func adoptSettings(_ bytes: [UInt8]) throws {
        let shared = try JSONDecoder().decode([String: Settings].self, from: Data(bytes))
        try state.withLock { (state: inout State) throws in
            let namespaces = state.namespaces
            var adopted = namespaces.filter { shared[$0.key] != nil }
            for (name, settings) in shared where adopted[name]?.settings != settings {
                adopted[name] = Namespace(settings: settings, documents: adopted[name]?.documents ?? [:])
            }
            guard Set(adopted.keys) != Set(namespaces.keys) || adopted.contains(where: { namespaces[$0.key]?.settings != $0.value.settings }) else { return }
            state.namespaces = adopted
            try persist(state)
        }
    }

    /// Writes the snapshot and empties the journal it now holds (under `state`'s lock).
    private func persist(_ state: State) throws {
        let positions = Dictionary(uniqueKeysWithValues: state.positions.map { (String($0.key), $0.value) })
        let bytes = try JSONStateFile.save(File(namespaces: state.namespaces, positions: positions), to: path)
        try journal.withLock { journal in
            try journal.file.reset()
            journal.compactAt = max(minimumCompactionBytes, bytes)
        }
    }

    /// Journals one namespace's changes, then applies them (under `state`'s lock); folds the
    /// journal into a snapshot when it has grown past the last snapshot's size.
    private func append(_ name: String, _ changes: [String: Tally?], positions: [Int: UInt64] = [:], to state: inout State) throws {
        let entry = JournalEntry(namespace: name, changes: changes,
                                 positions: positions.isEmpty ? nil : Dictionary(uniqueKeysWithValues: positions.map { (String($0.key), $0.value) }))
        let payload = [UInt8](try JSONEncoder().encode(entry))
        let compact = try journal.withLock { journal in
            try journal.file.append(payload)
            return journal.file.bytes >= journal.compactAt
        }
        Self.apply(changes, to: &state.namespaces[name])
        state.positions.merge(positions) { max($0, $1) }
        if compact { try persist(state) }
    }

    private static func apply(_ changes: [String: Tally?], to namespace: inout Namespace?) {
        guard namespace != nil else { return }  // dropped since
        for (document, tally) in changes { namespace![document] = tally }
    }

    private static func positions(_ saved: [String: UInt64]?) -> [Int: UInt64] {
        Dictionary((saved ?? [:]).compactMap { key, value in Int(key).map { ($0, value) } }) { max($0, $1) }
    }

    private static func info(_ name: String, _ namespace: Namespace) -> NamespaceInfo {
        let s = namespace.settings
        return NamespaceInfo(
            name: name, dimension: s.dimension, tokenizer: TokenizerKind(rawValue: s.tokenizer) ?? .cl100k,
            metric: Metric(rawValue: s.metric) ?? .cosine, chunkChars: s.chunkChars, chunkOverlap: s.chunkOverlap,
            documents: namespace.counts.documents, chunks: namespace.counts.chunks, tokens: namespace.counts.tokens,
            createdAtUnix: s.createdAtUnix, embedder: s.embedder ?? "")
    }
}
