/// Service names and method paths of the Strata contract (Proto/), in one place.
public enum StrataServiceName {
    public static let coordinator = "strata.v1.Coordinator"
    public static let membership = "strata.v1.Membership"
    public static let worker = "strata.v1.Worker"
    public static let health = "grpc.health.v1.Health"
}

/// Full method paths, for clients. Every RPC of Proto/ has one; the comment gives its shape.
public enum MethodPath {
    // grpc.health.v1.Health
    /// Unary: HealthCheckRequest → HealthCheckResponse.
    public static let healthCheck = "/grpc.health.v1.Health/Check"
    /// Server streaming: HealthCheckRequest → stream HealthCheckResponse.
    public static let healthWatch = "/grpc.health.v1.Health/Watch"

    // strata.v1.Coordinator
    /// Unary: CreateNamespaceRequest → NamespaceInfo.
    public static let coordinatorCreateNamespace = "/strata.v1.Coordinator/CreateNamespace"
    /// Unary: ListNamespacesRequest → ListNamespacesResponse.
    public static let coordinatorListNamespaces = "/strata.v1.Coordinator/ListNamespaces"
    /// Unary: DropNamespaceRequest → DropNamespaceResponse.
    public static let coordinatorDropNamespace = "/strata.v1.Coordinator/DropNamespace"
    /// Client streaming: stream IngestRequest → IngestSummary.
    public static let coordinatorIngest = "/strata.v1.Coordinator/Ingest"
    /// Unary: DeleteDocumentsRequest → DeleteDocumentsResponse.
    public static let coordinatorDeleteDocuments = "/strata.v1.Coordinator/DeleteDocuments"
    /// Server streaming: QueryRequest → stream QueryResponse.
    public static let coordinatorQuery = "/strata.v1.Coordinator/Query"
    /// Unary: ClusterStatusRequest → ClusterStatusResponse.
    public static let coordinatorClusterStatus = "/strata.v1.Coordinator/GetClusterStatus"
    /// Unary: NodeStatusRequest → NodeStatusMessage.
    public static let coordinatorNodeStatus = "/strata.v1.Coordinator/GetNodeStatus"
    /// Unary: ListDocumentsRequest → ListDocumentsResponse.
    public static let coordinatorListDocuments = "/strata.v1.Coordinator/ListDocuments"
    /// Unary: ReadDocumentRequest → ReadDocumentResponse.
    public static let coordinatorReadDocument = "/strata.v1.Coordinator/ReadDocument"
    /// Unary: RecordSyncRequest → SyncRecord.
    public static let coordinatorRecordSync = "/strata.v1.Coordinator/RecordSync"
    /// Unary: NamespaceStatusRequest → NamespaceStatus.
    public static let coordinatorNamespaceStatus = "/strata.v1.Coordinator/GetNamespaceStatus"

    // strata.v1.Membership
    /// Unary: RegisterRequest → RegisterResponse.
    public static let membershipRegisterWorker = "/strata.v1.Membership/RegisterWorker"
    /// Unary: HeartbeatRequest → HeartbeatResponse.
    public static let membershipHeartbeat = "/strata.v1.Membership/Heartbeat"

    // strata.v1.Worker
    /// Unary: ApplyWritesRequest → ApplyWritesResponse.
    public static let workerApplyWrites = "/strata.v1.Worker/ApplyWrites"
    /// Unary: CollectStatisticsRequest → LexicalStatistics.
    public static let workerCollectStatistics = "/strata.v1.Worker/CollectStatistics"
    /// Unary: WorkerSearchRequest → WorkerSearchResponse.
    public static let workerSearch = "/strata.v1.Worker/Search"
    /// Server streaming: FetchChunksRequest → stream ChunkMessage.
    public static let workerFetchChunks = "/strata.v1.Worker/FetchChunks"
    /// Server streaming: FetchDocumentRequest → stream ChunkMessage.
    public static let workerFetchDocument = "/strata.v1.Worker/FetchDocument"
    /// Server streaming: StreamSlotRequest → stream SlotRecord.
    public static let workerStreamSlot = "/strata.v1.Worker/StreamSlot"
    /// Unary: WorkerStatusRequest → NodeStatusMessage.
    public static let workerStatus = "/strata.v1.Worker/Status"
    /// Unary: PendingEmbeddingsRequest → PendingEmbeddingsResponse.
    public static let workerListPendingEmbeddings = "/strata.v1.Worker/ListPendingEmbeddings"
}
