import CStrataProto
import StrataCore
import StrataRPC

// coordinator.proto: ingest and delete.

/// `strata.v1.IngestRequest`: one batch of an ingest stream.
public struct IngestRequest: RPCMessage, Equatable {
    public var namespace: String
    public var documents: [Document]

    public init(namespace: String, documents: [Document]) {
        self.namespace = namespace
        self.documents = documents
    }

    static var codec: WireCodec<Strata__V1__IngestRequest> {
        WireCodec(name: "strata.v1.IngestRequest",
                  unpack: { strata__v1__ingest_request__unpack(nil, $0, $1) },
                  free: { strata__v1__ingest_request__free_unpacked($0, nil) },
                  size: { strata__v1__ingest_request__get_packed_size($0) },
                  pack: { strata__v1__ingest_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            IngestRequest(
                namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                documents: try WireReader.messages(message.documents, message.n_documents, at: path, "documents", Document.read))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__IngestRequest()
            strata__v1__ingest_request__init(&message)
            message.namespace_ = arena.string(namespace)
            message.n_documents = documents.count
            message.documents = arena.messages(documents.map { Document.build($0, in: arena) })
            return message
        }
    }
}

/// `strata.v1.DocumentError`: why one document was not stored.
public struct DocumentError: Sendable, Equatable {
    public var documentID: String
    public var reason: String
    /// The document is fine but was not stored (too few replicas acknowledged it): sending it
    /// again can succeed. False: it is invalid and is refused again.
    public var retry: Bool

    public init(documentID: String, reason: String, retry: Bool = false) {
        self.documentID = documentID
        self.reason = reason
        self.retry = retry
    }

    static func build(_ error: DocumentError, in arena: WireArena) -> Strata__V1__DocumentError {
        var message = Strata__V1__DocumentError()
        strata__v1__document_error__init(&message)
        message.document_id = arena.string(error.documentID)
        message.reason = arena.string(error.reason)
        message.retry = arena.flag(error.retry)
        return message
    }

    static func read(_ message: Strata__V1__DocumentError, at path: () -> String) throws -> DocumentError {
        DocumentError(documentID: try WireReader.string(message.document_id, at: WireReader.join(path, "document_id")),
                      reason: try WireReader.string(message.reason, at: WireReader.join(path, "reason")),
                      retry: WireReader.flag(message.retry))
    }
}

/// `strata.v1.IngestSummary`: what an ingest stream did.
public struct IngestSummary: RPCMessage, Equatable {
    public var documents: UInt64
    public var chunks: UInt64
    public var tokens: UInt64
    /// Chunks already stored in the namespace.
    public var duplicateChunks: UInt64
    public var rejected: [DocumentError]
    /// From the first batch to the last acknowledgement.
    public var seconds: Double

    public init(documents: UInt64, chunks: UInt64, tokens: UInt64, duplicateChunks: UInt64 = 0,
                rejected: [DocumentError] = [], seconds: Double) {
        self.documents = documents
        self.chunks = chunks
        self.tokens = tokens
        self.duplicateChunks = duplicateChunks
        self.rejected = rejected
        self.seconds = seconds
    }

    static var codec: WireCodec<Strata__V1__IngestSummary> {
        WireCodec(name: "strata.v1.IngestSummary",
                  unpack: { strata__v1__ingest_summary__unpack(nil, $0, $1) },
                  free: { strata__v1__ingest_summary__free_unpacked($0, nil) },
                  size: { strata__v1__ingest_summary__get_packed_size($0) },
                  pack: { strata__v1__ingest_summary__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            IngestSummary(
                documents: message.documents, chunks: message.chunks, tokens: message.tokens,
                duplicateChunks: message.duplicate_chunks,
                rejected: try WireReader.messages(message.rejected, message.n_rejected, at: path, "rejected", DocumentError.read),
                seconds: message.seconds)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__IngestSummary()
            strata__v1__ingest_summary__init(&message)
            message.documents = documents
            message.chunks = chunks
            message.tokens = tokens
            message.duplicate_chunks = duplicateChunks
            message.n_rejected = rejected.count
            message.rejected = arena.messages(rejected.map { DocumentError.build($0, in: arena) })
            message.seconds = seconds
            return message
        }
    }
}

/// `strata.v1.DeleteDocumentsRequest`.
public struct DeleteDocumentsRequest: RPCMessage, Equatable {
    public var namespace: String
    public var documentIDs: [String]

    public init(namespace: String, documentIDs: [String]) {
        self.namespace = namespace
        self.documentIDs = documentIDs
    }

    static var codec: WireCodec<Strata__V1__DeleteDocumentsRequest> {
        WireCodec(name: "strata.v1.DeleteDocumentsRequest",
                  unpack: { strata__v1__delete_documents_request__unpack(nil, $0, $1) },
                  free: { strata__v1__delete_documents_request__free_unpacked($0, nil) },
                  size: { strata__v1__delete_documents_request__get_packed_size($0) },
                  pack: { strata__v1__delete_documents_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            DeleteDocumentsRequest(
                namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                documentIDs: try WireReader.strings(message.document_ids, message.n_document_ids, at: path, "document_ids"))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__DeleteDocumentsRequest()
            strata__v1__delete_documents_request__init(&message)
            message.namespace_ = arena.string(namespace)
            message.n_document_ids = documentIDs.count
            message.document_ids = arena.strings(documentIDs)
            return message
        }
    }
}

/// `strata.v1.DeleteDocumentsResponse`.
public struct DeleteDocumentsResponse: RPCMessage, Equatable {
    /// Documents that existed and were deleted.
    public var deleted: UInt64
    public var notFound: [String]

    public init(deleted: UInt64, notFound: [String] = []) {
        self.deleted = deleted
        self.notFound = notFound
    }

    static var codec: WireCodec<Strata__V1__DeleteDocumentsResponse> {
        WireCodec(name: "strata.v1.DeleteDocumentsResponse",
                  unpack: { strata__v1__delete_documents_response__unpack(nil, $0, $1) },
                  free: { strata__v1__delete_documents_response__free_unpacked($0, nil) },
                  size: { strata__v1__delete_documents_response__get_packed_size($0) },
                  pack: { strata__v1__delete_documents_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            DeleteDocumentsResponse(
                deleted: message.deleted,
                notFound: try WireReader.strings(message.not_found, message.n_not_found, at: path, "not_found"))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__DeleteDocumentsResponse()
            strata__v1__delete_documents_response__init(&message)
            message.deleted = deleted
            message.n_not_found = notFound.count
            message.not_found = arena.strings(notFound)
            return message
        }
    }
}
