import CStrataProto
import StrataCore
import StrataRPC

// coordinator.proto: listing and reading stored documents; worker.proto: FetchDocument.

/// `strata.v1.ListDocumentsRequest`: one page of a namespace's documents.
public struct ListDocumentsRequest: RPCMessage, Equatable {
    public var namespace: String
    /// Only ids starting with this; empty lists all.
    public var prefix: String
    /// 0: the server default (1000).
    public var pageSize: UInt32
    /// The previous page's `nextPageToken`; empty starts at the first document.
    public var pageToken: String

    public init(namespace: String, prefix: String = "", pageSize: UInt32 = 0, pageToken: String = "") {
        self.namespace = namespace
        self.prefix = prefix
        self.pageSize = pageSize
        self.pageToken = pageToken
    }

    static var codec: WireCodec<Strata__V1__ListDocumentsRequest> {
        WireCodec(name: "strata.v1.ListDocumentsRequest",
                  unpack: { strata__v1__list_documents_request__unpack(nil, $0, $1) },
                  free: { strata__v1__list_documents_request__free_unpacked($0, nil) },
                  size: { strata__v1__list_documents_request__get_packed_size($0) },
                  pack: { strata__v1__list_documents_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            ListDocumentsRequest(
                namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                prefix: try WireReader.string(message.prefix, at: WireReader.join(path, "prefix")),
                pageSize: message.page_size,
                pageToken: try WireReader.string(message.page_token, at: WireReader.join(path, "page_token")))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__ListDocumentsRequest()
            strata__v1__list_documents_request__init(&message)
            message.namespace_ = arena.string(namespace)
            message.prefix = arena.string(prefix)
            message.page_size = pageSize
            message.page_token = arena.string(pageToken)
            return message
        }
    }
}

/// `strata.v1.DocumentEntry`: a stored document with its content hash and size.
public struct DocumentEntry: Sendable, Equatable {
    public var documentID: String
    /// 32 lowercase hex digits of XXH3-128 of the text; empty when the stored content is unknown.
    public var contentHash: String
    public var chunks: UInt64
    public var tokens: UInt64

    public init(documentID: String, contentHash: String, chunks: UInt64 = 0, tokens: UInt64 = 0) {
        self.documentID = documentID
        self.contentHash = contentHash
        self.chunks = chunks
        self.tokens = tokens
    }

    static func build(_ entry: DocumentEntry, in arena: WireArena) -> Strata__V1__DocumentEntry {
        var message = Strata__V1__DocumentEntry()
        strata__v1__document_entry__init(&message)
        message.document_id = arena.string(entry.documentID)
        message.content_hash = arena.string(entry.contentHash)
        message.chunks = entry.chunks
        message.tokens = entry.tokens
        return message
    }

    static func read(_ message: Strata__V1__DocumentEntry, at path: () -> String) throws -> DocumentEntry {
        DocumentEntry(documentID: try WireReader.string(message.document_id, at: WireReader.join(path, "document_id")),
                      contentHash: try WireReader.string(message.content_hash, at: WireReader.join(path, "content_hash")),
                      chunks: message.chunks, tokens: message.tokens)
    }
}

/// `strata.v1.ListDocumentsResponse`.
public struct ListDocumentsResponse: RPCMessage, Equatable {
    public var documents: [DocumentEntry]
    /// Empty on the last page.
    public var nextPageToken: String

    public init(documents: [DocumentEntry], nextPageToken: String = "") {
        self.documents = documents
        self.nextPageToken = nextPageToken
    }

    static var codec: WireCodec<Strata__V1__ListDocumentsResponse> {
        WireCodec(name: "strata.v1.ListDocumentsResponse",
                  unpack: { strata__v1__list_documents_response__unpack(nil, $0, $1) },
                  free: { strata__v1__list_documents_response__free_unpacked($0, nil) },
                  size: { strata__v1__list_documents_response__get_packed_size($0) },
                  pack: { strata__v1__list_documents_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            ListDocumentsResponse(
                documents: try WireReader.messages(message.documents, message.n_documents, at: path, "documents", DocumentEntry.read),
                nextPageToken: try WireReader.string(message.next_page_token, at: WireReader.join(path, "next_page_token")))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__ListDocumentsResponse()
            strata__v1__list_documents_response__init(&message)
            message.n_documents = documents.count
            message.documents = arena.messages(documents.map { DocumentEntry.build($0, in: arena) })
            message.next_page_token = arena.string(nextPageToken)
            return message
        }
    }
}

/// `strata.v1.ReadDocumentRequest`: a stored document's text, or a range of its lines.
public struct ReadDocumentRequest: RPCMessage, Equatable {
    public var namespace: String
    public var documentID: String
    /// 1-based; 0 means 1.
    public var lineStart: UInt32
    /// Inclusive; 0 means the last line.
    public var lineEnd: UInt32

    public init(namespace: String, documentID: String, lineStart: UInt32 = 0, lineEnd: UInt32 = 0) {
        self.namespace = namespace
        self.documentID = documentID
        self.lineStart = lineStart
        self.lineEnd = lineEnd
    }

    static var codec: WireCodec<Strata__V1__ReadDocumentRequest> {
        WireCodec(name: "strata.v1.ReadDocumentRequest",
                  unpack: { strata__v1__read_document_request__unpack(nil, $0, $1) },
                  free: { strata__v1__read_document_request__free_unpacked($0, nil) },
                  size: { strata__v1__read_document_request__get_packed_size($0) },
                  pack: { strata__v1__read_document_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            ReadDocumentRequest(
                namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                documentID: try WireReader.string(message.document_id, at: WireReader.join(path, "document_id")),
                lineStart: message.line_start, lineEnd: message.line_end)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__ReadDocumentRequest()
            strata__v1__read_document_request__init(&message)
            message.namespace_ = arena.string(namespace)
            message.document_id = arena.string(documentID)
            message.line_start = lineStart
            message.line_end = lineEnd
            return message
        }
    }
}

/// `strata.v1.ReadDocumentResponse`.
public struct ReadDocumentResponse: RPCMessage, Equatable {
    public var documentID: String
    public var text: String
    public var lineStart: UInt32
    public var lineEnd: UInt32
    public var totalLines: UInt32
    /// Fewer lines than asked: the rest would exceed the read limit.
    public var truncated: Bool
    public var metadata: [KeyValue]
    public var contentHash: String

    public init(documentID: String, text: String, lineStart: UInt32, lineEnd: UInt32, totalLines: UInt32,
                truncated: Bool = false, metadata: [KeyValue] = [], contentHash: String = "") {
        self.documentID = documentID
        self.text = text
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.totalLines = totalLines
        self.truncated = truncated
        self.metadata = metadata
        self.contentHash = contentHash
    }

    static var codec: WireCodec<Strata__V1__ReadDocumentResponse> {
        WireCodec(name: "strata.v1.ReadDocumentResponse",
                  unpack: { strata__v1__read_document_response__unpack(nil, $0, $1) },
                  free: { strata__v1__read_document_response__free_unpacked($0, nil) },
                  size: { strata__v1__read_document_response__get_packed_size($0) },
                  pack: { strata__v1__read_document_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            ReadDocumentResponse(
                documentID: try WireReader.string(message.document_id, at: WireReader.join(path, "document_id")),
                text: try WireReader.string(message.text, at: WireReader.join(path, "text")),
                lineStart: message.line_start, lineEnd: message.line_end, totalLines: message.total_lines,
                truncated: WireReader.flag(message.truncated),
                metadata: try WireReader.messages(message.metadata, message.n_metadata, at: path, "metadata", KeyValue.read),
                contentHash: try WireReader.string(message.content_hash, at: WireReader.join(path, "content_hash")))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__ReadDocumentResponse()
            strata__v1__read_document_response__init(&message)
            message.document_id = arena.string(documentID)
            message.text = arena.string(text)
            message.line_start = lineStart
            message.line_end = lineEnd
            message.total_lines = totalLines
            message.truncated = arena.flag(truncated)
            message.n_metadata = metadata.count
            message.metadata = KeyValue.buildAll(metadata, in: arena)
            message.content_hash = arena.string(contentHash)
            return message
        }
    }
}

/// `strata.v1.FetchDocumentRequest` (worker): one document's chunks, in order.
public struct FetchDocumentRequest: RPCMessage, Equatable {
    public var namespace: String
    public var documentID: String

    public init(namespace: String, documentID: String) {
        self.namespace = namespace
        self.documentID = documentID
    }

    static var codec: WireCodec<Strata__V1__FetchDocumentRequest> {
        WireCodec(name: "strata.v1.FetchDocumentRequest",
                  unpack: { strata__v1__fetch_document_request__unpack(nil, $0, $1) },
                  free: { strata__v1__fetch_document_request__free_unpacked($0, nil) },
                  size: { strata__v1__fetch_document_request__get_packed_size($0) },
                  pack: { strata__v1__fetch_document_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            FetchDocumentRequest(
                namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                documentID: try WireReader.string(message.document_id, at: WireReader.join(path, "document_id")))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__FetchDocumentRequest()
            strata__v1__fetch_document_request__init(&message)
            message.namespace_ = arena.string(namespace)
            message.document_id = arena.string(documentID)
            return message
        }
    }
}
