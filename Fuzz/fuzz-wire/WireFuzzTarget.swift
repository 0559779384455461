import StrataRPC
import StrataWire
import StrataFuzzSupport

/// Every message of the contract that a node or client decodes from the network: requests
/// (what a server decodes) and responses and stream items (what clients and other nodes
/// decode). The first input byte picks the message (modulo the count), the rest is its wire bytes.
///
/// Property, beyond "no crash, no sanitizer report": a message that decodes re-encodes to
/// bytes that decode again to the same bytes (the encoding of what was accepted is stable).
enum WireFuzzMessages {
    typealias Check = @Sendable ([UInt8]) -> Void

    static let all: [(name: String, check: Check)] = [
        entry(CreateNamespaceRequest.self, "CreateNamespaceRequest"),
        entry(ListNamespacesRequest.self, "ListNamespacesRequest"),
        entry(DropNamespaceRequest.self, "DropNamespaceRequest"),
        entry(IngestRequest.self, "IngestRequest"),
        entry(DeleteDocumentsRequest.self, "DeleteDocumentsRequest"),
        entry(QueryRequest.self, "QueryRequest"),
        entry(ClusterStatusRequest.self, "ClusterStatusRequest"),
        entry(NodeStatusRequest.self, "NodeStatusRequest"),
        entry(RegisterRequest.self, "RegisterRequest"),
        entry(HeartbeatRequest.self, "HeartbeatRequest"),
        entry(ApplyWritesRequest.self, "ApplyWritesRequest"),
        entry(CollectStatisticsRequest.self, "CollectStatisticsRequest"),
        entry(WorkerSearchRequest.self, "WorkerSearchRequest"),
        entry(FetchChunksRequest.self, "FetchChunksRequest"),
        entry(StreamSlotRequest.self, "StreamSlotRequest"),
        entry(WorkerStatusRequest.self, "WorkerStatusRequest"),
        entry(HealthCheckRequest.self, "HealthCheckRequest"),
        entry(QueryResponse.self, "QueryResponse"),
        entry(SlotRecord.self, "SlotRecord"),
        entry(HeartbeatResponse.self, "HeartbeatResponse"),
        entry(RegisterResponse.self, "RegisterResponse"),
        entry(WorkerSearchResponse.self, "WorkerSearchResponse"),
        entry(ChunkMessage.self, "ChunkMessage"),
        entry(LexicalStatistics.self, "LexicalStatistics"),
        entry(ApplyWritesResponse.self, "ApplyWritesResponse"),
        entry(ClusterStatusResponse.self, "ClusterStatusResponse"),
        entry(NodeStatusMessage.self, "NodeStatusMessage"),
        entry(IngestSummary.self, "IngestSummary"),
        entry(NamespaceInfo.self, "NamespaceInfo"),
        entry(ListNamespacesResponse.self, "ListNamespacesResponse"),
        entry(DropNamespaceResponse.self, "DropNamespaceResponse"),
        entry(DeleteDocumentsResponse.self, "DeleteDocumentsResponse"),
        entry(HealthCheckResponse.self, "HealthCheckResponse"),
        // Added after the first corpora: appended, so existing inputs keep their message.
        entry(FetchDocumentRequest.self, "FetchDocumentRequest"),
        entry(ListDocumentsRequest.self, "ListDocumentsRequest"),
        entry(ListDocumentsResponse.self, "ListDocumentsResponse"),
        entry(ReadDocumentRequest.self, "ReadDocumentRequest"),
        entry(ReadDocumentResponse.self, "ReadDocumentResponse"),
        entry(RecordSyncRequest.self, "RecordSyncRequest"),
        entry(NamespaceStatusRequest.self, "NamespaceStatusRequest"),
        entry(NamespaceStatus.self, "NamespaceStatus"),
        entry(PendingEmbeddingsRequest.self, "PendingEmbeddingsRequest"),
        entry(PendingEmbeddingsResponse.self, "PendingEmbeddingsResponse"),
        entry(CreateTokenRequest.self, "CreateTokenRequest"),
        entry(CreateTokenResponse.self, "CreateTokenResponse"),
        entry(RevokeTokenRequest.self, "RevokeTokenRequest"),
        entry(ListTokensRequest.self, "ListTokensRequest"),
        entry(ListTokensResponse.self, "ListTokensResponse"),
        entry(TokenInfo.self, "TokenInfo"),
    ]

    static func entry<Message: RPCMessage>(_: Message.Type, _ name: String) -> (name: String, check: Check) {
        (name, { bytes in
            guard let message = try? Message(serializedBytes: bytes) else { return }
            let encoded = message.serializedBytes()
            guard let again = try? Message(serializedBytes: encoded) else {
                fuzzCheck(false, "\(name): its own encoding of an accepted message does not decode")
                return
            }
            fuzzCheck(again.serializedBytes() == encoded, "\(name): re-encoding an accepted message is not stable")
        })
    }

    static func index(of name: String) -> Int? { all.firstIndex { $0.name == name } }
}

func wireTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    let selector = Int(input.byte()) % WireFuzzMessages.all.count
    WireFuzzMessages.all[selector].check(input.rest())
    return 0
}
