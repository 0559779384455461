import Foundation
import Logging
import StrataCore
import StrataEmbed
import StrataRPC
import StrataWire
import Synchronization

/// The coordinator's server-side embedder: finds chunks of embedder namespaces that have no
/// vector yet, embeds them in the background and writes the vectors back as replicated slot
/// writes, so that ingest never waits for a model.
///
/// One round (`runOnce`), for each namespace with an embedder:
/// 1. ask one replica of every slot (the query plan: one call per worker) for its chunks
///    without a vector (`ListPendingEmbeddings`): their count is the backlog, and up to
///    `embedding.batch_chunks` of them come with their text;
/// 2. embed those texts on the model's background threads (idle CPU priority);
/// 3. write each document's vectors to its slot as an `AttachVectors` write, numbered and
///    replicated like an ingest (W of R replicas, durable before acknowledged; every replica,
///    a slot copy and a restart see them, because they are stored with the chunks).
///
/// Nothing here is the source of truth: the backlog is whatever the workers hold without a
/// vector, so a crash of the coordinator, of a worker, or of a round halfway loses nothing:
/// the next round finds the same chunks again.
final class CoordinatorEmbedding: Sendable {
    let library: EmbedderLibrary
    let namespaces: NamespaceRegistry
    let membership: CoordinatorMembership
    let channels: WorkerChannels
    let replicator: SlotReplicator
    let batchChunks: Int
    let logger: Logger
    private let progress = Mutex<[String: EmbeddingProgress]>([:])
    private let loop = Mutex<Task<Void, Never>?>(nil)

    init(library: EmbedderLibrary, namespaces: NamespaceRegistry, membership: CoordinatorMembership, channels: WorkerChannels,
         replicator: SlotReplicator, batchChunks: Int, logger: Logger) {
        self.library = library
        self.namespaces = namespaces
        self.membership = membership
        self.channels = channels
        self.replicator = replicator
        self.batchChunks = batchChunks
        self.logger = logger
    }

    /// Runs rounds until `stop`: back to back while there is work, every second otherwise.
    func start() {
        let task = Task { [self] in
            while !Task.isCancelled {
                let worked = await runOnce()
                if !worked { try? await Task.sleep(for: .seconds(1)) }
            }
        }
        loop.withLock { $0 = task }
    }

    func stop() async {
        let task = loop.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
    }

    /// An acknowledged ingest stored `chunks` in `namespace`.
    func noteIngested(_ namespace: String, chunks: UInt64) {
        guard chunks > 0 else { return }
        progress.withLock { $0[namespace, default: EmbeddingProgress()].ingested(chunks) }
    }

    /// The backlog of a namespace (0 without an embedder).
    func backlog(_ namespace: String) -> UInt64 { progress.withLock { $0[namespace]?.backlog ?? 0 } }

    /// Every embedder namespace's progress, for the cluster status and /metrics.
    func statuses() -> [EmbeddingStatus] {
        let all = progress.withLock { $0 }
        return namespaces.embedded().map { name, settings in
            let id = settings.embedder ?? ""
            let state = all[name] ?? EmbeddingProgress()
            return EmbeddingStatus(namespace: name, embedder: id, backlogChunks: state.backlog, embeddedChunks: state.embedded,
                                   backend: library.loadedEmbedder(id)?.backend.description ?? "", error: state.error)
        }
    }

    /// The vector of a query's text under a namespace's embedder (on the caller's thread).
    func queryVector(_ text: String, embedder id: String) throws(StrataError) -> [Float] {
        try library.embedder(id).embedNow(text)
    }

    /// One round over every embedder namespace; true when it embedded anything.
    @discardableResult
    func runOnce() async -> Bool {
        var worked = false
        for (name, settings) in namespaces.embedded() {
            guard let id = settings.embedder else { continue }
            do {
                worked = try await embedRound(name, settings, id) || worked
            } catch {
                let message = (error as? StrataError)?.message ?? "\(error)"
                progress.withLock { $0[name, default: EmbeddingProgress()].failed(message) }
                logger.warning("server-side embedding round failed", metadata: ["namespace": "\(name)", "error": "\(message)"])
            }
        }
        return worked
    }

    private func embedRound(_ namespace: String, _ settings: NamespaceRegistry.Settings, _ id: String) async throws -> Bool {
        let embedder = try library.embedder(id)
        let plan = membership.queryPlan()
        var pending: UInt64 = 0
        var documents: [PendingDocument] = []
        var failures: [String] = []
        await withTaskGroup(of: Result<PendingEmbeddingsResponse, any Error>.self) { group in
            for assignment in plan.assignments {
                let request = PendingEmbeddingsRequest(namespace: namespace, slots: assignment.slots.map(UInt32.init),
                                                       maxChunks: UInt32(batchChunks))
                group.addTask { [channels] in
                    do {
                        return .success(try PendingEmbeddingsResponse(serializedBytes: try await channels.channel(assignment.address).unary(
                            MethodPath.workerListPendingEmbeddings, request.serializedBytes(), options: CallOptions(timeout: .seconds(30)))))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for await result in group {
                switch result {
                case .success(let response):
                    pending += response.pendingChunks
                    documents += response.documents
                case .failure(let error):
                    failures.append("\(error)")
                }
            }
        }
        progress.withLock { $0[namespace, default: EmbeddingProgress()].counted(pending) }
        if let failure = failures.first { progress.withLock { $0[namespace]?.failed("a worker did not answer: \(failure)") } }
        // Whole documents up to the batch size (at least one document).
        var batch: [PendingDocument] = []
        var chunks = 0
        for document in documents.sorted(by: { ($0.slot, $0.documentID) < ($1.slot, $1.documentID) }) {
            if !batch.isEmpty && chunks + document.chunks.count > batchChunks { break }
            batch.append(document)
            chunks += document.chunks.count
        }
        guard !batch.isEmpty else { return false }
        let texts = batch.flatMap { $0.chunks.map(\.text) }
        let vectors = try await embedder.embedInBackground(texts)
        // The namespace may have been dropped (or re-created without this embedder) meanwhile.
        guard (try? namespaces.settings(namespace)) == settings else { return false }
        var bySlot: [UInt32: [AttachVectors]] = [:]
        var next = 0
        for document in batch {
            let attached = document.chunks.map { chunk -> ChunkVector in
                defer { next += 1 }
                return ChunkVector(contentHash: chunk.contentHash, vector: vectors[next])
            }
            bySlot[document.slot, default: []].append(AttachVectors(documentID: document.documentID, vectors: attached))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (slot, attaches) in bySlot {
                group.addTask { [replicator] in
                    try await replicator.replicate(slot: Int(slot), count: attaches.count) { numbers in
                        zip(numbers, attaches).map { StrataWire.SlotWrite(sequence: $0, namespace: namespace, operation: .attachVectors($1)) }
                    }
                }
            }
            try await group.waitForAll()
        }
        progress.withLock { $0[namespace, default: EmbeddingProgress()].embedded(UInt64(chunks)) }
        return true
    }
}
