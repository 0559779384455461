import Foundation
import StrataCore
import StrataRPC
import StrataWire

extension ClusterBench {
    /// The coordinator's client API as the benchmark uses it (StrataRPC + StrataWire, the
    /// same calls the `strata` CLI makes).
    struct ClusterClient: Sendable {
        let channel: RPCChannel

        init(address: String) {
            channel = RPCChannel(target: address, limits: MessageLimits(maxReceiveBytes: 64 << 20, maxSendBytes: 64 << 20))
        }

        func status() async throws -> ClusterStatusResponse {
            try ClusterStatusResponse(serializedBytes: await channel.unary(
                MethodPath.coordinatorClusterStatus, ClusterStatusRequest().serializedBytes(), options: CallOptions(timeout: .seconds(10))))
        }

        /// True when `workers` serve and every slot has R up-to-date replicas.
        static func isFullyReplicated(_ status: ClusterStatusResponse, workers: Int) -> Bool {
            let serving = status.nodes.filter { $0.role == .worker && $0.state == .serving }.count
            return serving == workers && status.slotsFullyReplicated == status.slotCount
                && status.slotsUnderReplicated == 0 && status.slotsUnavailable == 0
        }

        func waitFullyReplicated(workers: Int, timeout: Duration) async throws {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while clock.now < deadline {
                if let status = try? await status(), Self.isFullyReplicated(status, workers: workers) { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw BenchFailure("the cluster was not fully replicated with \(workers) workers within \(timeout)")
        }

        func createNamespace(_ name: String, tokenizer: TokenizerKind, dimension: Int) async throws {
            let request = CreateNamespaceRequest(name: name, dimension: UInt32(dimension), tokenizer: tokenizer)
            _ = try await channel.unary(MethodPath.coordinatorCreateNamespace, request.serializedBytes(), options: CallOptions(timeout: .seconds(30)))
        }

        /// One Ingest call carrying `batches` (one message each); returns the coordinator's summary.
        func ingest(namespace: String, batches: [[Document]]) async throws -> IngestSummary {
            let stream = try channel.clientStreaming(MethodPath.coordinatorIngest, options: CallOptions(timeout: nil))
            for documents in batches {
                try await stream.send(IngestRequest(namespace: namespace, documents: documents).serializedBytes())
            }
            return try IngestSummary(serializedBytes: await stream.finish())
        }

        /// One query, read to the end of its stream; returns the summary (nil if none came).
        func query(_ request: QueryRequest) async throws -> (header: QueryHeader?, summary: QuerySummary?) {
            var header: QueryHeader?
            var summary: QuerySummary?
            for try await bytes in channel.serverStreaming(MethodPath.coordinatorQuery, request.serializedBytes(), options: CallOptions(timeout: .seconds(30))) {
                switch try QueryResponse(serializedBytes: bytes) {
                case .header(let h): header = h
                case .summary(let s): summary = s
                default: break
                }
            }
            return (header, summary)
        }
    }
}

extension ClusterBench.ClusterClient {
    /// One query, read to the end of its stream, keeping the passages (provenance, rank).
    func queryPassages(_ request: QueryRequest) async throws -> (header: QueryHeader?, passages: [Passage], summary: QuerySummary?) {
        var header: QueryHeader?
        var passages: [Passage] = []
        var summary: QuerySummary?
        for try await bytes in channel.serverStreaming(MethodPath.coordinatorQuery, request.serializedBytes(), options: CallOptions(timeout: .seconds(120))) {
            switch try QueryResponse(serializedBytes: bytes) {
            case .header(let h): header = h
            case .passage(let p): passages.append(p)
            case .summary(let s): summary = s
            default: break
            }
        }
        return (header, passages, summary)
    }
}
