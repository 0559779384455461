import Foundation
import StrataCore
import StrataRPC
import StrataWire

extension EmbedBench {
    /// Ingest of text-only documents into a namespace without an embedder (A) and with one (B),
    /// alternating A B A B … on one cluster of child processes (coordinator + 2 workers, R = 2),
    /// each round into fresh namespaces; B's background embedding of earlier rounds runs while
    /// later rounds ingest. Prints each side's ingest seconds (median) and their ratio, then how
    /// long the coordinator took to embed everything B received.
    func measureIngest(rounds: Int, files: Int) async throws {
        // Ids relative to the root (the coordinator refuses absolute ones).
        let documents = SearchBench.loadRealDocuments(roots: [root]).prefix(files).map {
            Document(id: String($0.id.dropFirst(root.count + 1)), text: $0.text)
        }
        let bytes = documents.reduce(0) { $0 + $1.text.utf8.count }
        let nodes = try ClusterBench.ChildNodes(workDir: NSTemporaryDirectory())
        defer { nodes.stopAll() }
        let settings = ["--set", "coordinator.slots=64"]
        try nodes.startCoordinator(settings: settings)
        for _ in 0..<2 { try nodes.startWorker() }
        let client = ClusterBench.ClusterClient(address: nodes.coordinatorAddress)
        try await client.waitFullyReplicated(workers: 2, timeout: .seconds(60))
        let batches = stride(from: 0, to: documents.count, by: 100).map { Array(documents[$0..<min($0 + 100, documents.count)]) }
        var plain: [Double] = []
        var embedded: [Double] = []
        var chunks: UInt64 = 0
        for round in 0..<rounds {
            for withEmbedder in [false, true] {
                let name = "\(withEmbedder ? "embedded" : "plain")-\(round)"
                let request = CreateNamespaceRequest(name: name, tokenizer: .cl100k, embedder: withEmbedder ? "minilm-l6" : "")
                _ = try await client.channel.unary(MethodPath.coordinatorCreateNamespace, request.serializedBytes(),
                                                   options: CallOptions(timeout: .seconds(60)))
                let start = ContinuousClock.now
                let summary = try await client.ingest(namespace: name, batches: batches)
                let seconds = (ContinuousClock.now - start).seconds
                if withEmbedder {
                    embedded.append(seconds)
                    chunks += summary.chunks
                } else {
                    plain.append(seconds)
                }
            }
        }
        let a = plain.sorted()[plain.count / 2]
        let b = embedded.sorted()[embedded.count / 2]
        print("")
        print("ingest A/B: \(documents.count) Python files (\(bytes / 1024) KiB) per round, \(rounds) rounds alternating, coordinator + 2 workers (R = 2)")
        print("| namespace | ingest seconds (median) | each round |")
        print("|---|---|---|")
        print("| without embedder (A) | \(format(a, 2)) | \(plain.map { format($0, 2) }.joined(separator: ", ")) |")
        print("| with embedder minilm-l6 (B) | \(format(b, 2)) | \(embedded.map { format($0, 2) }.joined(separator: ", ")) |")
        print("B / A: \(format(b / a, 3)) (embedding runs behind ingest at idle priority)")
        // Then the background embedding's own pace, over at most a minute.
        let first = try await client.status().embeddings.reduce(UInt64(0)) { $0 + $1.embeddedChunks }
        let drainStart = ContinuousClock.now
        var status = try await client.status()
        while (ContinuousClock.now - drainStart) < .seconds(60), status.embeddings.contains(where: { $0.backlogChunks > 0 }) {
            try await Task.sleep(for: .milliseconds(500))
            status = try await client.status()
        }
        let done = status.embeddings.reduce(UInt64(0)) { $0 + $1.embeddedChunks } - first
        let left = status.embeddings.reduce(UInt64(0)) { $0 + $1.backlogChunks }
        let seconds = (ContinuousClock.now - drainStart).seconds
        print("B received \(chunks) chunks; after the last ingest the coordinator embedded \(done) more in \(format(seconds, 1)) s "
              + "(\(format(Double(done) / max(seconds, 0.001), 1)) chunks/s at idle priority, nothing else running), \(left) still to embed")
    }
}
