import CStrataProto
import StrataCore
import StrataRPC

/// `strata.v1.KeyValue`: one metadata pair.
public struct KeyValue: Sendable, Equatable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    static func build(_ pair: KeyValue, in arena: WireArena) -> Strata__V1__KeyValue {
        var message = Strata__V1__KeyValue()
        strata__v1__key_value__init(&message)
        message.key = arena.string(pair.key)
        message.value = arena.string(pair.value)
        return message
    }

    static func read(_ message: Strata__V1__KeyValue, at path: () -> String) throws -> KeyValue {
        KeyValue(key: try WireReader.string(message.key, at: WireReader.join(path, "key")),
                 value: try WireReader.string(message.value, at: WireReader.join(path, "value")))
    }

    static func buildAll(_ pairs: [KeyValue], in arena: WireArena) -> UnsafeMutablePointer<UnsafeMutablePointer<Strata__V1__KeyValue>?>? {
        arena.messages(pairs.map { build($0, in: arena) })
    }
}

/// `strata.v1.Provenance` carrying a `ChunkProvenance`.
enum ProvenanceWire {
    /// What an absent provenance means: unknown (all zero).
    static let unknown = ChunkProvenance(documentID: "", byteStart: 0, byteEnd: 0, lineStart: 0, lineEnd: 0)

    static func build(_ provenance: ChunkProvenance, in arena: WireArena) -> UnsafeMutablePointer<Strata__V1__Provenance> {
        var message = Strata__V1__Provenance()
        strata__v1__provenance__init(&message)
        message.document_id = arena.string(provenance.documentID)
        message.byte_start = UInt64(clamping: provenance.byteStart)
        message.byte_end = UInt64(clamping: provenance.byteEnd)
        message.line_start = UInt32(clamping: provenance.lineStart)
        message.line_end = UInt32(clamping: provenance.lineEnd)
        return arena.message(message)
    }

    static func read(_ pointer: UnsafeMutablePointer<Strata__V1__Provenance>?, at path: () -> String) throws -> ChunkProvenance {
        try WireReader.message(pointer, at: path, "provenance", absent: unknown) { message, path in
            ChunkProvenance(
                documentID: try WireReader.string(message.document_id, at: WireReader.join(path, "document_id")),
                byteStart: Int(clamping: message.byte_start), byteEnd: Int(clamping: message.byte_end),
                lineStart: Int(message.line_start), lineEnd: Int(message.line_end))
        }
    }
}

/// `strata.v1.ChunkInput`: a chunk a client chunked and embedded itself.
public struct ChunkInput: Sendable, Equatable {
    public var text: String
    public var vector: [Float]
    /// All zero when unknown.
    public var provenance: ChunkProvenance

    public init(text: String, vector: [Float] = [],
                provenance: ChunkProvenance = ChunkProvenance(documentID: "", byteStart: 0, byteEnd: 0, lineStart: 0, lineEnd: 0)) {
        self.text = text
        self.vector = vector
        self.provenance = provenance
    }

    static func build(_ chunk: ChunkInput, in arena: WireArena) -> Strata__V1__ChunkInput {
        var message = Strata__V1__ChunkInput()
        strata__v1__chunk_input__init(&message)
        message.text = arena.string(chunk.text)
        message.n_vector = chunk.vector.count
        message.vector = arena.array(chunk.vector)
        message.provenance = ProvenanceWire.build(chunk.provenance, in: arena)
        return message
    }

    static func read(_ message: Strata__V1__ChunkInput, at path: () -> String) throws -> ChunkInput {
        ChunkInput(text: try WireReader.string(message.text, at: WireReader.join(path, "text")),
                   vector: WireReader.array(message.vector, message.n_vector),
                   provenance: try ProvenanceWire.read(message.provenance, at: path))
    }
}

/// `strata.v1.Document`: a document to upsert, as text or as pre-embedded chunks.
public struct Document: Sendable, Equatable {
    public var id: String
    /// The full text; empty when `chunks` is given.
    public var text: String
    public var chunks: [ChunkInput]
    public var metadata: [KeyValue]

    public init(id: String, text: String = "", chunks: [ChunkInput] = [], metadata: [KeyValue] = []) {
        self.id = id
        self.text = text
        self.chunks = chunks
        self.metadata = metadata
    }

    static func build(_ document: Document, in arena: WireArena) -> Strata__V1__Document {
        var message = Strata__V1__Document()
        strata__v1__document__init(&message)
        message.id = arena.string(document.id)
        message.text = arena.string(document.text)
        message.n_chunks = document.chunks.count
        message.chunks = arena.messages(document.chunks.map { ChunkInput.build($0, in: arena) })
        message.n_metadata = document.metadata.count
        message.metadata = KeyValue.buildAll(document.metadata, in: arena)
        return message
    }

    static func read(_ message: Strata__V1__Document, at path: () -> String) throws -> Document {
        Document(
            id: try WireReader.string(message.id, at: WireReader.join(path, "id")),
            text: try WireReader.string(message.text, at: WireReader.join(path, "text")),
            chunks: try WireReader.messages(message.chunks, message.n_chunks, at: path, "chunks", ChunkInput.read),
            metadata: try WireReader.messages(message.metadata, message.n_metadata, at: path, "metadata", KeyValue.read))
    }
}

/// `strata.v1.Filter`: conditions every returned chunk must meet (empty: no filter).
public struct Filter: Sendable, Equatable {
    public var documentPrefix: String
    public var metadataEquals: [KeyValue]

    public init(documentPrefix: String = "", metadataEquals: [KeyValue] = []) {
        self.documentPrefix = documentPrefix
        self.metadataEquals = metadataEquals
    }

    static func build(_ filter: Filter, in arena: WireArena) -> UnsafeMutablePointer<Strata__V1__Filter> {
        var message = Strata__V1__Filter()
        strata__v1__filter__init(&message)
        message.document_prefix = arena.string(filter.documentPrefix)
        message.n_metadata_equals = filter.metadataEquals.count
        message.metadata_equals = KeyValue.buildAll(filter.metadataEquals, in: arena)
        return arena.message(message)
    }

    static func read(_ pointer: UnsafeMutablePointer<Strata__V1__Filter>?, at path: () -> String) throws -> Filter {
        try WireReader.message(pointer, at: path, "filter", absent: Filter()) { message, path in
            Filter(documentPrefix: try WireReader.string(message.document_prefix, at: WireReader.join(path, "document_prefix")),
                   metadataEquals: try WireReader.messages(message.metadata_equals, message.n_metadata_equals,
                                                           at: path, "metadata_equals", KeyValue.read))
        }
    }
}

/// `strata.v1.Chunk`: a stored chunk as a worker holds and returns it (FetchChunks streams these).
public struct ChunkMessage: RPCMessage, Equatable {
    public var namespace: String
    /// The chunk's identity within its namespace.
    public var contentHash: ContentHash
    public var provenance: ChunkProvenance
    /// 0-based position in the document.
    public var ordinal: UInt32
    public var text: String
    /// Exact tokens under the namespace's tokenizer.
    public var tokenCount: UInt32
    public var vector: [Float]
    public var metadata: [KeyValue]

    public init(namespace: String, contentHash: ContentHash, provenance: ChunkProvenance, ordinal: UInt32,
                text: String, tokenCount: UInt32, vector: [Float] = [], metadata: [KeyValue] = []) {
        self.namespace = namespace
        self.contentHash = contentHash
        self.provenance = provenance
        self.ordinal = ordinal
        self.text = text
        self.tokenCount = tokenCount
        self.vector = vector
        self.metadata = metadata
    }

    static var codec: WireCodec<Strata__V1__Chunk> {
        WireCodec(name: "strata.v1.Chunk",
                  unpack: { strata__v1__chunk__unpack(nil, $0, $1) },
                  free: { strata__v1__chunk__free_unpacked($0, nil) },
                  size: { strata__v1__chunk__get_packed_size($0) },
                  pack: { strata__v1__chunk__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { self = try Self.codec.decode(bytes, Self.read) }

    public func serializedBytes() -> [UInt8] { Self.codec.encode { Self.build(self, in: $0) } }

    static func build(_ chunk: ChunkMessage, in arena: WireArena) -> Strata__V1__Chunk {
        var message = Strata__V1__Chunk()
        strata__v1__chunk__init(&message)
        message.namespace_ = arena.string(chunk.namespace)
        message.content_hash = arena.contentHash(chunk.contentHash)
        message.provenance = ProvenanceWire.build(chunk.provenance, in: arena)
        message.ordinal = chunk.ordinal
        message.text = arena.string(chunk.text)
        message.token_count = chunk.tokenCount
        message.n_vector = chunk.vector.count
        message.vector = arena.array(chunk.vector)
        message.n_metadata = chunk.metadata.count
        message.metadata = KeyValue.buildAll(chunk.metadata, in: arena)
        return message
    }

    static func read(_ message: Strata__V1__Chunk, at path: () -> String) throws -> ChunkMessage {
        ChunkMessage(
            namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
            contentHash: try WireReader.contentHash(message.content_hash, at: WireReader.join(path, "content_hash")),
            provenance: try ProvenanceWire.read(message.provenance, at: path),
            ordinal: message.ordinal,
            text: try WireReader.string(message.text, at: WireReader.join(path, "text")),
            tokenCount: message.token_count,
            vector: WireReader.array(message.vector, message.n_vector),
            metadata: try WireReader.messages(message.metadata, message.n_metadata, at: path, "metadata", KeyValue.read))
    }
}
