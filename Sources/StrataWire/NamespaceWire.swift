import CStrataProto
import StrataCore
import StrataRPC

// coordinator.proto: namespace management.

extension WireReader {
    /// A tokenizer name; empty means cl100k_base (the contract's default).
    static func tokenizer(_ pointer: UnsafeMutablePointer<CChar>?, at path: @autoclosure () -> String) throws -> TokenizerKind {
        let name = try string(pointer, at: path())
        if name.isEmpty { return .cl100k }
        guard let kind = TokenizerKind(rawValue: name) else {
            let known = TokenizerKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw RPCError(.invalidArgument, "\(path()) \"\(name)\" is not a known tokenizer (\(known))")
        }
        return kind
    }
}

/// `strata.v1.CreateNamespaceRequest`.
public struct CreateNamespaceRequest: RPCMessage, Equatable {
    public var name: String
    /// 0: the namespace holds no vectors.
    public var dimension: UInt32
    public var tokenizer: TokenizerKind
    public var metric: Metric
    /// 0: the server default.
    public var chunkChars: UInt32
    public var chunkOverlap: UInt32
    /// The server-side embedder ("minilm-l6"); empty: none.
    public var embedder: String

    public init(name: String, dimension: UInt32 = 0, tokenizer: TokenizerKind = .cl100k, metric: Metric = .cosine,
                chunkChars: UInt32 = 0, chunkOverlap: UInt32 = 0, embedder: String = "") {
        self.name = name
        self.dimension = dimension
        self.tokenizer = tokenizer
        self.metric = metric
        self.chunkChars = chunkChars
        self.chunkOverlap = chunkOverlap
        self.embedder = embedder
    }

    static var codec: WireCodec<Strata__V1__CreateNamespaceRequest> {
        WireCodec(name: "strata.v1.CreateNamespaceRequest",
                  unpack: { strata__v1__create_namespace_request__unpack(nil, $0, $1) },
                  free: { strata__v1__create_namespace_request__free_unpacked($0, nil) },
                  size: { strata__v1__create_namespace_request__get_packed_size($0) },
                  pack: { strata__v1__create_namespace_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            CreateNamespaceRequest(
                name: try WireReader.string(message.name, at: WireReader.join(path, "name")),
                dimension: message.dimension,
                tokenizer: try WireReader.tokenizer(message.tokenizer, at: WireReader.join(path, "tokenizer")),
                metric: try WireReader.enumeration(message.metric.rawValue, at: WireReader.join(path, "metric")),
                chunkChars: message.chunk_chars, chunkOverlap: message.chunk_overlap,
                embedder: try WireReader.string(message.embedder, at: WireReader.join(path, "embedder")))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__CreateNamespaceRequest()
            strata__v1__create_namespace_request__init(&message)
            message.name = arena.string(name)
            message.dimension = dimension
            message.tokenizer = arena.string(tokenizer.rawValue)
            message.metric = metric.wire
            message.chunk_chars = chunkChars
            message.chunk_overlap = chunkOverlap
            message.embedder = arena.string(embedder)
            return message
        }
    }
}

/// `strata.v1.NamespaceInfo`: a namespace's settings and size.
public struct NamespaceInfo: RPCMessage, Equatable {
    public var name: String
    public var dimension: UInt32
    public var tokenizer: TokenizerKind
    public var metric: Metric
    public var chunkChars: UInt32
    public var chunkOverlap: UInt32
    public var documents: UInt64
    public var chunks: UInt64
    public var tokens: UInt64
    public var createdAtUnix: Int64
    /// The server-side embedder ("minilm-l6"); empty: none.
    public var embedder: String
    /// Chunks stored but not yet embedded by the server.
    public var embeddingBacklog: UInt64

    public init(name: String, dimension: UInt32, tokenizer: TokenizerKind, metric: Metric, chunkChars: UInt32,
                chunkOverlap: UInt32, documents: UInt64 = 0, chunks: UInt64 = 0, tokens: UInt64 = 0, createdAtUnix: Int64 = 0,
                embedder: String = "", embeddingBacklog: UInt64 = 0) {
        self.name = name
        self.dimension = dimension
        self.tokenizer = tokenizer
        self.metric = metric
        self.chunkChars = chunkChars
        self.chunkOverlap = chunkOverlap
        self.documents = documents
        self.chunks = chunks
        self.tokens = tokens
        self.createdAtUnix = createdAtUnix
        self.embedder = embedder
        self.embeddingBacklog = embeddingBacklog
    }

    static var codec: WireCodec<Strata__V1__NamespaceInfo> {
        WireCodec(name: "strata.v1.NamespaceInfo",
                  unpack: { strata__v1__namespace_info__unpack(nil, $0, $1) },
                  free: { strata__v1__namespace_info__free_unpacked($0, nil) },
                  size: { strata__v1__namespace_info__get_packed_size($0) },
                  pack: { strata__v1__namespace_info__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { self = try Self.codec.decode(bytes, Self.read) }

    public func serializedBytes() -> [UInt8] { Self.codec.encode { Self.build(self, in: $0) } }

    static func build(_ info: NamespaceInfo, in arena: WireArena) -> Strata__V1__NamespaceInfo {
        var message = Strata__V1__NamespaceInfo()
        strata__v1__namespace_info__init(&message)
        message.name = arena.string(info.name)
        message.dimension = info.dimension
        message.tokenizer = arena.string(info.tokenizer.rawValue)
        message.metric = info.metric.wire
        message.chunk_chars = info.chunkChars
        message.chunk_overlap = info.chunkOverlap
        message.documents = info.documents
        message.chunks = info.chunks
        message.tokens = info.tokens
        message.created_at_unix = info.createdAtUnix
        message.embedder = arena.string(info.embedder)
        message.embedding_backlog = info.embeddingBacklog
        return message
    }

    static func read(_ message: Strata__V1__NamespaceInfo, at path: () -> String) throws -> NamespaceInfo {
        NamespaceInfo(
            name: try WireReader.string(message.name, at: WireReader.join(path, "name")),
            dimension: message.dimension,
            tokenizer: try WireReader.tokenizer(message.tokenizer, at: WireReader.join(path, "tokenizer")),
            metric: try WireReader.enumeration(message.metric.rawValue, at: WireReader.join(path, "metric")),
            chunkChars: message.chunk_chars, chunkOverlap: message.chunk_overlap,
            documents: message.documents, chunks: message.chunks, tokens: message.tokens,
            createdAtUnix: message.created_at_unix,
            embedder: try WireReader.string(message.embedder, at: WireReader.join(path, "embedder")),
            embeddingBacklog: message.embedding_backlog)
    }
}

/// `strata.v1.ListNamespacesRequest` (no fields).
public struct ListNamespacesRequest: RPCMessage, Equatable {
    public init() {}

    static var codec: WireCodec<Strata__V1__ListNamespacesRequest> {
        WireCodec(name: "strata.v1.ListNamespacesRequest",
                  unpack: { strata__v1__list_namespaces_request__unpack(nil, $0, $1) },
                  free: { strata__v1__list_namespaces_request__free_unpacked($0, nil) },
                  size: { strata__v1__list_namespaces_request__get_packed_size($0) },
                  pack: { strata__v1__list_namespaces_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { try Self.codec.decode(bytes) { _, _ in () } }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { _ in
            var message = Strata__V1__ListNamespacesRequest()
            strata__v1__list_namespaces_request__init(&message)
            return message
        }
    }
}

/// `strata.v1.ListNamespacesResponse`.
public struct ListNamespacesResponse: RPCMessage, Equatable {
    public var namespaces: [NamespaceInfo]

    public init(namespaces: [NamespaceInfo]) { self.namespaces = namespaces }

    static var codec: WireCodec<Strata__V1__ListNamespacesResponse> {
        WireCodec(name: "strata.v1.ListNamespacesResponse",
                  unpack: { strata__v1__list_namespaces_response__unpack(nil, $0, $1) },
                  free: { strata__v1__list_namespaces_response__free_unpacked($0, nil) },
                  size: { strata__v1__list_namespaces_response__get_packed_size($0) },
                  pack: { strata__v1__list_namespaces_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        namespaces = try Self.codec.decode(bytes) { message, path in
            try WireReader.messages(message.namespaces, message.n_namespaces, at: path, "namespaces", NamespaceInfo.read)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__ListNamespacesResponse()
            strata__v1__list_namespaces_response__init(&message)
            message.n_namespaces = namespaces.count
            message.namespaces = arena.messages(namespaces.map { NamespaceInfo.build($0, in: arena) })
            return message
        }
    }
}

/// `strata.v1.DropNamespaceRequest`.
public struct DropNamespaceRequest: RPCMessage, Equatable {
    public var name: String

    public init(name: String) { self.name = name }

    static var codec: WireCodec<Strata__V1__DropNamespaceRequest> {
        WireCodec(name: "strata.v1.DropNamespaceRequest",
                  unpack: { strata__v1__drop_namespace_request__unpack(nil, $0, $1) },
                  free: { strata__v1__drop_namespace_request__free_unpacked($0, nil) },
                  size: { strata__v1__drop_namespace_request__get_packed_size($0) },
                  pack: { strata__v1__drop_namespace_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        name = try Self.codec.decode(bytes) { message, path in
            try WireReader.string(message.name, at: WireReader.join(path, "name"))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__DropNamespaceRequest()
            strata__v1__drop_namespace_request__init(&message)
            message.name = arena.string(name)
            return message
        }
    }
}

/// `strata.v1.DropNamespaceResponse`.
public struct DropNamespaceResponse: RPCMessage, Equatable {
    /// Documents removed.
    public var documents: UInt64

    public init(documents: UInt64) { self.documents = documents }

    static var codec: WireCodec<Strata__V1__DropNamespaceResponse> {
        WireCodec(name: "strata.v1.DropNamespaceResponse",
                  unpack: { strata__v1__drop_namespace_response__unpack(nil, $0, $1) },
                  free: { strata__v1__drop_namespace_response__free_unpacked($0, nil) },
                  size: { strata__v1__drop_namespace_response__get_packed_size($0) },
                  pack: { strata__v1__drop_namespace_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        documents = try Self.codec.decode(bytes) { message, _ in message.documents }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { _ in
            var message = Strata__V1__DropNamespaceResponse()
            strata__v1__drop_namespace_response__init(&message)
            message.documents = documents
            return message
        }
    }
}
