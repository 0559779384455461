/// Server-side embedding of one namespace, in plain numbers.
public struct EmbeddingGauges: Sendable, Equatable {
    public var namespace: String
    public var backlogChunks: UInt64
    public var embeddedChunks: UInt64

    public init(namespace: String, backlogChunks: UInt64, embeddedChunks: UInt64) {
        self.namespace = namespace
        self.backlogChunks = backlogChunks
        self.embeddedChunks = embeddedChunks
    }
}

/// The coordinator's embedding series, one per namespace with an embedder (so they grow with
/// the namespaces created with `--embedder`, not with the data).
public enum EmbeddingSeries {
    public static func samples(_ namespaces: [EmbeddingGauges]) -> [MetricSample] {
        namespaces.flatMap { gauges in
            [
                MetricSample("strata_embedding_backlog_chunks", .gauge, Double(gauges.backlogChunks),
                             labels: [.init("namespace", gauges.namespace)],
                             help: "Chunks stored but not yet embedded by the server-side embedder (searchable lexically already)."),
                MetricSample("strata_embedding_chunks_total", .counter, Double(gauges.embeddedChunks),
                             labels: [.init("namespace", gauges.namespace)],
                             help: "Chunks the coordinator's embedder embedded since it started."),
            ]
        }
    }
}
