import StrataRPC
import StrataWire

/// The simulation's client: the coordinator's RPCs over the simulated network, as an agent
/// would call them (its link to the coordinator can be partitioned too).
extension SimulatedCluster {
    private var client: any RPCTransport { network.transport(from: Self.clientAddress, to: Self.coordinatorAddress) }
    private var options: CallOptions { CallOptions(timeout: .seconds(20)) }

    func clusterStatus() async throws -> ClusterStatusResponse {
        try ClusterStatusResponse(serializedBytes: await client.unary(
            MethodPath.coordinatorClusterStatus, ClusterStatusRequest().serializedBytes(), options: options))
    }

    func createNamespace(_ request: CreateNamespaceRequest) async throws -> NamespaceInfo {
        try NamespaceInfo(serializedBytes: await client.unary(MethodPath.coordinatorCreateNamespace, request.serializedBytes(), options: options))
    }

    func ingest(_ batches: [IngestRequest]) async throws -> IngestSummary {
        let call = try client.openClientStream(MethodPath.coordinatorIngest, options: options)
        for batch in batches { try await call.send(batch.serializedBytes()) }
        return try IngestSummary(serializedBytes: await call.finish())
    }

    func delete(_ request: DeleteDocumentsRequest) async throws -> DeleteDocumentsResponse {
        try DeleteDocumentsResponse(serializedBytes: await client.unary(
            MethodPath.coordinatorDeleteDocuments, request.serializedBytes(), options: options))
    }

    func query(_ request: QueryRequest) async throws -> [QueryResponse] {
        var items: [QueryResponse] = []
        for try await bytes in client.serverStreaming(MethodPath.coordinatorQuery, request.serializedBytes(), options: options) {
            items.append(try QueryResponse(serializedBytes: bytes))
        }
        return items
    }
}

extension SimulatedCluster {
    func dropNamespace(_ name: String) async throws -> DropNamespaceResponse {
        try DropNamespaceResponse(serializedBytes: await network.transport(from: Self.clientAddress, to: Self.coordinatorAddress).unary(
            MethodPath.coordinatorDropNamespace, DropNamespaceRequest(name: name).serializedBytes(), options: CallOptions(timeout: .seconds(20))))
    }
}

extension SimulatedCluster {
    func namespaces() async throws -> [NamespaceInfo] {
        try ListNamespacesResponse(serializedBytes: await network.transport(from: Self.clientAddress, to: Self.coordinatorAddress).unary(
            MethodPath.coordinatorListNamespaces, ListNamespacesRequest().serializedBytes(), options: CallOptions(timeout: .seconds(20)))).namespaces
    }

    /// The documents of an answer, in order.
    static func documents(_ answer: [QueryResponse]) -> [String] {
        answer.compactMap { item in
            if case .passage(let passage) = item { return passage.provenance.documentID }
            return nil
        }
    }
}
