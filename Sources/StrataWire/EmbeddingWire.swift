import CStrataProto
import StrataCore
import StrataRPC

// Server-side embedding: the worker's pending-chunk listing (worker.proto), the vectors the
// coordinator's embedder attaches (worker.proto's AttachVectors) and the status it reports
// (coordinator.proto's EmbeddingStatus).

/// `strata.v1.ChunkVector`: a vector for the chunk with this content hash.
public struct ChunkVector: Sendable, Equatable {
    public var contentHash: ContentHash
    public var vector: [Float]

    public init(contentHash: ContentHash, vector: [Float]) {
        self.contentHash = contentHash
        self.vector = vector
    }

    static func build(_ value: ChunkVector, in arena: WireArena) -> Strata__V1__ChunkVector {
        var message = Strata__V1__ChunkVector()
        strata__v1__chunk_vector__init(&message)
        message.content_hash = arena.contentHash(value.contentHash)
        message.n_vector = value.vector.count
        message.vector = arena.array(value.vector)
        return message
    }

    static func read(_ message: Strata__V1__ChunkVector, at path: () -> String) throws -> ChunkVector {
        ChunkVector(contentHash: try WireReader.contentHash(message.content_hash, at: WireReader.join(path, "content_hash")),
                    vector: WireReader.array(message.vector, message.n_vector))
    }
}

/// `strata.v1.AttachVectors`: vectors the coordinator's embedder computed for one document.
public struct AttachVectors: Sendable, Equatable {
    public var documentID: String
    public var vectors: [ChunkVector]

    public init(documentID: String, vectors: [ChunkVector]) {
        self.documentID = documentID
        self.vectors = vectors
    }

    static func build(_ value: AttachVectors, in arena: WireArena) -> Strata__V1__AttachVectors {
        var message = Strata__V1__AttachVectors()
        strata__v1__attach_vectors__init(&message)
        message.document_id = arena.string(value.documentID)
        message.n_vectors = value.vectors.count
        message.vectors = arena.messages(value.vectors.map { ChunkVector.build($0, in: arena) })
        return message
    }

    static func read(_ message: Strata__V1__AttachVectors, at path: () -> String) throws -> AttachVectors {
        AttachVectors(documentID: try WireReader.string(message.document_id, at: WireReader.join(path, "document_id")),
                      vectors: try WireReader.messages(message.vectors, message.n_vectors, at: path, "vectors", ChunkVector.read))
    }
}

/// `strata.v1.PendingEmbeddingsRequest`.
public struct PendingEmbeddingsRequest: RPCMessage, Equatable {
    public var namespace: String
    public var slots: [UInt32]
    public var maxChunks: UInt32

    public init(namespace: String, slots: [UInt32], maxChunks: UInt32) {
        self.namespace = namespace
        self.slots = slots
        self.maxChunks = maxChunks
    }

    static var codec: WireCodec<Strata__V1__PendingEmbeddingsRequest> {
        WireCodec(name: "strata.v1.PendingEmbeddingsRequest",
                  unpack: { strata__v1__pending_embeddings_request__unpack(nil, $0, $1) },
                  free: { strata__v1__pending_embeddings_request__free_unpacked($0, nil) },
                  size: { strata__v1__pending_embeddings_request__get_packed_size($0) },
                  pack: { strata__v1__pending_embeddings_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            PendingEmbeddingsRequest(namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                                     slots: WireReader.array(message.slots, message.n_slots), maxChunks: message.max_chunks)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__PendingEmbeddingsRequest()
            strata__v1__pending_embeddings_request__init(&message)
            message.namespace_ = arena.string(namespace)
            message.n_slots = slots.count
            message.slots = arena.array(slots)
            message.max_chunks = maxChunks
            return message
        }
    }
}

/// `strata.v1.PendingChunk`: a chunk to embed.
public struct PendingChunk: Sendable, Equatable {
    public var contentHash: ContentHash
    public var text: String

    public init(contentHash: ContentHash, text: String) {
        self.contentHash = contentHash
        self.text = text
    }
}

/// `strata.v1.PendingDocument`: one document's chunks that have no vector.
public struct PendingDocument: Sendable, Equatable {
    public var slot: UInt32
    public var documentID: String
    public var chunks: [PendingChunk]

    public init(slot: UInt32, documentID: String, chunks: [PendingChunk]) {
        self.slot = slot
        self.documentID = documentID
        self.chunks = chunks
    }
}

/// `strata.v1.PendingEmbeddingsResponse`.
public struct PendingEmbeddingsResponse: RPCMessage, Equatable {
    /// Chunks without a vector over every requested slot.
    public var pendingChunks: UInt64
    public var documents: [PendingDocument]

    public init(pendingChunks: UInt64, documents: [PendingDocument]) {
        self.pendingChunks = pendingChunks
        self.documents = documents
    }

    static var codec: WireCodec<Strata__V1__PendingEmbeddingsResponse> {
        WireCodec(name: "strata.v1.PendingEmbeddingsResponse",
                  unpack: { strata__v1__pending_embeddings_response__unpack(nil, $0, $1) },
                  free: { strata__v1__pending_embeddings_response__free_unpacked($0, nil) },
                  size: { strata__v1__pending_embeddings_response__get_packed_size($0) },
                  pack: { strata__v1__pending_embeddings_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            PendingEmbeddingsResponse(
                pendingChunks: message.pending_chunks,
                documents: try WireReader.messages(message.documents, message.n_documents, at: path, "documents") { document, at in
                    PendingDocument(
                        slot: document.slot,
                        documentID: try WireReader.string(document.document_id, at: WireReader.join(at, "document_id")),
                        chunks: try WireReader.messages(document.chunks, document.n_chunks, at: at, "chunks") { chunk, at in
                            PendingChunk(contentHash: try WireReader.contentHash(chunk.content_hash, at: WireReader.join(at, "content_hash")),
                                         text: try WireReader.string(chunk.text, at: WireReader.join(at, "text")))
                        })
                })
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__PendingEmbeddingsResponse()
            strata__v1__pending_embeddings_response__init(&message)
            message.pending_chunks = pendingChunks
            message.n_documents = documents.count
            message.documents = arena.messages(documents.map { document in
                var built = Strata__V1__PendingDocument()
                strata__v1__pending_document__init(&built)
                built.slot = document.slot
                built.document_id = arena.string(document.documentID)
                built.n_chunks = document.chunks.count
                built.chunks = arena.messages(document.chunks.map { chunk in
                    var pending = Strata__V1__PendingChunk()
                    strata__v1__pending_chunk__init(&pending)
                    pending.content_hash = arena.contentHash(chunk.contentHash)
                    pending.text = arena.string(chunk.text)
                    return pending
                })
                return built
            })
            return message
        }
    }
}

/// `strata.v1.EmbeddingStatus`: where server-side embedding of one namespace stands.
public struct EmbeddingStatus: Sendable, Equatable {
    public var namespace: String
    public var embedder: String
    public var backlogChunks: UInt64
    public var embeddedChunks: UInt64
    public var backend: String
    public var error: String

    public init(namespace: String, embedder: String, backlogChunks: UInt64 = 0, embeddedChunks: UInt64 = 0,
                backend: String = "", error: String = "") {
        self.namespace = namespace
        self.embedder = embedder
        self.backlogChunks = backlogChunks
        self.embeddedChunks = embeddedChunks
        self.backend = backend
        self.error = error
    }

    static func build(_ value: EmbeddingStatus, in arena: WireArena) -> Strata__V1__EmbeddingStatus {
        var message = Strata__V1__EmbeddingStatus()
        strata__v1__embedding_status__init(&message)
        message.namespace_ = arena.string(value.namespace)
        message.embedder = arena.string(value.embedder)
        message.backlog_chunks = value.backlogChunks
        message.embedded_chunks = value.embeddedChunks
        message.backend = arena.string(value.backend)
        message.error = arena.string(value.error)
        return message
    }

    static func read(_ message: Strata__V1__EmbeddingStatus, at path: () -> String) throws -> EmbeddingStatus {
        EmbeddingStatus(namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                        embedder: try WireReader.string(message.embedder, at: WireReader.join(path, "embedder")),
                        backlogChunks: message.backlog_chunks, embeddedChunks: message.embedded_chunks,
                        backend: try WireReader.string(message.backend, at: WireReader.join(path, "backend")),
                        error: try WireReader.string(message.error, at: WireReader.join(path, "error")))
    }
}
