import StrataCore
import StrataRPC
import StrataWire

/// A typed client of the coordinator's `strata.v1.Coordinator` service, shared by the CLI,
/// the MCP server and directory sync. Every call carries the bearer token, when one is set,
/// as `authorization: Bearer TOKEN` metadata, and the client's timeout as its deadline.
/// Errors are the calls' `RPCError`s, unchanged.
public struct CoordinatorClient: Sendable {
    public let transport: any RPCTransport
    /// Sent as `authorization: Bearer TOKEN` on every call; nil sends none.
    public let token: String?
    /// The deadline of unary calls and queries.
    public let timeout: Duration

    public init(transport: any RPCTransport, token: String? = nil, timeout: Duration = .seconds(30)) {
        self.transport = transport
        self.token = token
        self.timeout = timeout
    }

    /// A client of the coordinator at `address` ("host:port") over gRPC.
    public init(address: String, token: String? = nil, timeout: Duration = .seconds(30), maxMessageBytes: Int = 64 << 20) {
        self.init(transport: RPCChannel(target: address, limits: MessageLimits(maxReceiveBytes: maxMessageBytes, maxSendBytes: maxMessageBytes)),
                  token: token, timeout: timeout)
    }

    /// The address calls go to.
    public var address: String { transport.target }

    /// Call options with the token's metadata; `timeout` nil means no deadline.
    public func callOptions(timeout: Duration?) -> CallOptions {
        CallOptions(timeout: timeout, metadata: token.map { [(key: "authorization", value: "Bearer \($0)")] } ?? [])
    }

    private func unary<Response: RPCMessage>(_ method: String, _ request: some RPCMessage, _ type: Response.Type) async throws -> Response {
        try Response(serializedBytes: try await transport.unary(method, request.serializedBytes(), options: callOptions(timeout: timeout)))
    }

    public func listNamespaces() async throws -> [NamespaceInfo] {
        try await unary(MethodPath.coordinatorListNamespaces, ListNamespacesRequest(), ListNamespacesResponse.self).namespaces
    }

    public func createNamespace(_ request: CreateNamespaceRequest) async throws -> NamespaceInfo {
        try await unary(MethodPath.coordinatorCreateNamespace, request, NamespaceInfo.self)
    }

    public func namespaceStatus(_ namespace: String) async throws -> NamespaceStatus {
        try await unary(MethodPath.coordinatorNamespaceStatus, NamespaceStatusRequest(namespace: namespace), NamespaceStatus.self)
    }

    public func clusterStatus() async throws -> ClusterStatusResponse {
        try await unary(MethodPath.coordinatorClusterStatus, ClusterStatusRequest(), ClusterStatusResponse.self)
    }

    /// One page of the namespace's documents.
    public func listDocuments(_ request: ListDocumentsRequest) async throws -> ListDocumentsResponse {
        try await unary(MethodPath.coordinatorListDocuments, request, ListDocumentsResponse.self)
    }

    /// Every document of the namespace (with `prefix`), all pages, in id order.
    public func allDocuments(namespace: String, prefix: String = "", pageSize: UInt32 = 10_000) async throws -> [DocumentEntry] {
        var entries: [DocumentEntry] = []
        var token = ""
        repeat {
            let page = try await listDocuments(ListDocumentsRequest(namespace: namespace, prefix: prefix, pageSize: pageSize, pageToken: token))
            entries += page.documents
            token = page.nextPageToken
        } while !token.isEmpty
        return entries
    }

    public func readDocument(_ request: ReadDocumentRequest) async throws -> ReadDocumentResponse {
        try await unary(MethodPath.coordinatorReadDocument, request, ReadDocumentResponse.self)
    }

    public func deleteDocuments(namespace: String, ids: [String]) async throws -> DeleteDocumentsResponse {
        try await unary(MethodPath.coordinatorDeleteDocuments, DeleteDocumentsRequest(namespace: namespace, documentIDs: ids),
                        DeleteDocumentsResponse.self)
    }

    public func recordSync(_ record: SyncRecord) async throws -> SyncRecord {
        try await unary(MethodPath.coordinatorRecordSync, RecordSyncRequest(sync: record), SyncRecord.self)
    }

    /// Ingests `batches` over one stream, one message per batch; answered once every batch is
    /// durable. The stream has no deadline: a large ingest may take long, and back-pressure
    /// (each send waits for the coordinator to take the batch) keeps memory bounded.
    public func ingest(namespace: String, batches: some Sequence<[Document]>) async throws -> IngestSummary {
        let stream = try transport.openClientStream(MethodPath.coordinatorIngest, options: callOptions(timeout: nil))
        // The first message names the namespace even when there is nothing to send, so an
        // unknown namespace is an error rather than an empty success.
        try await stream.send(IngestRequest(namespace: namespace, documents: []).serializedBytes())
        for documents in batches where !documents.isEmpty {
            try await stream.send(IngestRequest(namespace: namespace, documents: documents).serializedBytes())
        }
        return try IngestSummary(serializedBytes: await stream.finish())
    }

    /// Runs a query and collects its answer stream.
    public func query(_ request: QueryRequest) async throws -> QueryAnswer {
        var answer = QueryAnswer()
        for try await bytes in transport.serverStreaming(MethodPath.coordinatorQuery, request.serializedBytes(), options: callOptions(timeout: timeout)) {
            answer.add(try QueryResponse(serializedBytes: bytes))
        }
        return answer
    }
}
