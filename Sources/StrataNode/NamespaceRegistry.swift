import Foundation
import StrataCore
import StrataStore
import StrataWire
import Synchronization

/// The coordinator's namespaces: their fixed settings, and a tally of the documents in each
/// (document id → chunks and tokens), persisted atomically in `namespaces.json`.
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
    }

    struct Namespace: Codable, Sendable {
        var settings: Settings
        var documents: [String: Tally] = [:]
    }

    private struct File: Codable {
        var formatVersion = 1
        var namespaces: [String: Namespace]
    }

    private let path: String
    private let state: Mutex<[String: Namespace]>

    init(dataDirectory: String) throws {
        path = dataDirectory + "/namespaces.json"
        if let data = FileManager.default.contents(atPath: path) {
            let file: File
            do {
                file = try JSONDecoder().decode(File.self, from: data)
            } catch {
                throw StrataError(.dataLoss, "\(path) cannot be read: \(error)")
            }
            guard file.formatVersion == 1 else {
                throw StrataError(.failedPrecondition, "\(path) has format version \(file.formatVersion); this build reads 1")
            }
            state = Mutex(file.namespaces)
        } else {
            state = Mutex([:])
        }
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

    /// Records acknowledged upserts and deletes (nil tally = deleted) and persists once.
    func record(_ name: String, _ changes: [String: Tally?]) throws {
        guard !changes.isEmpty else { return }
        try state.withLock { (namespaces: inout [String: Namespace]) throws in
            guard namespaces[name] != nil else { return }  // dropped meanwhile
            for (document, tally) in changes { namespaces[name]!.documents[document] = tally }
            try persist(namespaces)
        }
    }

    /// Whether the namespace holds this document.
    func contains(_ name: String, document: String) -> Bool {
        state.withLock { $0[name]?.documents[document] != nil }
    }

    private func persist(_ namespaces: [String: Namespace]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.replace(path, with: [UInt8](try encoder.encode(File(namespaces: namespaces))))
    }

    private static func info(_ name: String, _ namespace: Namespace) -> NamespaceInfo {
        let s = namespace.settings
        return NamespaceInfo(
            name: name, dimension: s.dimension, tokenizer: TokenizerKind(rawValue: s.tokenizer) ?? .cl100k,
            metric: Metric(rawValue: s.metric) ?? .cosine, chunkChars: s.chunkChars, chunkOverlap: s.chunkOverlap,
            documents: UInt64(namespace.documents.count),
            chunks: namespace.documents.values.reduce(0) { $0 + $1.chunks },
            tokens: namespace.documents.values.reduce(0) { $0 + $1.tokens },
            createdAtUnix: s.createdAtUnix, embedder: s.embedder ?? "")
    }
}
