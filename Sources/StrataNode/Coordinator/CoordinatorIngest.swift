import Foundation
import StrataCluster
import StrataCore
import StrataRPC
import StrataText
import StrataWire

/// The coordinator's write path: chunk and count each document with its namespace's
/// settings, route it to its slot, number the slot's writes, replicate them, and answer only
/// when every batch is durable on W replicas of each slot it touched.
///
/// Every document the client sent is either stored (counted in the summary and the
/// namespace's tally) or listed in `rejected` with the reason, so counts and contents agree:
/// everything a worker would refuse is checked here first, before anything is written; a slot
/// whose replication fails (too few replicas acknowledged) lists its documents as not stored.
/// When nothing at all was stored because of such failures, the call fails with their status
/// (UNAVAILABLE, or RESOURCE_EXHAUSTED naming a worker whose disk is full) instead.
///
/// Back-pressure comes from the stream itself: the next batch is received only when the
/// previous one is acknowledged, so a client can send millions of tokens with bounded memory.
struct CoordinatorIngest: Sendable {
    let namespaces: NamespaceRegistry
    let membership: CoordinatorMembership
    let replicator: SlotReplicator
    let maxChunkBytes: Int
    /// Told what each batch stored once its writes are acknowledged (documents, chunks,
    /// tokens), for the ingest counters of /metrics.
    var onStored: @Sendable (_ documents: UInt64, _ chunks: UInt64, _ tokens: UInt64) -> Void = { _, _, _ in }
    /// Told the chunks each acknowledged batch stored in a namespace (the server-side
    /// embedder's backlog grows by them until its next count).
    var onChunksStored: @Sendable (_ namespace: String, _ chunks: UInt64) -> Void = { _, _ in }
    /// How long each batch took from its arrival to its acknowledgement (for /metrics).
    let batchLatencies = RecentLatencies()

    /// `authorize` is asked about every batch's namespace before anything of it is stored
    /// (the caller's token must have `write:` on it).
    func ingest(_ stream: RequestStream<IngestRequest>,
                authorize: (String) throws(StrataError) -> Void = { _ throws(StrataError) in }) async throws -> IngestSummary {
        let clock = ContinuousClock()
        let started = clock.now
        var summary = IngestSummary(documents: 0, chunks: 0, tokens: 0, seconds: 0)
        var namespace: String?
        var refusals: [StrataError] = []
        for try await batch in stream {
            let received = ContinuousClock.now
            defer { batchLatencies.record(ContinuousClock.now - received) }
            if let namespace, batch.namespace != namespace {
                throw StrataError.invalidArgument("every batch of one ingest stream must name the same namespace (\(namespace), then \(batch.namespace))")
            }
            namespace = batch.namespace
            try authorize(batch.namespace)
            let settings = try namespaces.settings(batch.namespace)
            let prepared = try await prepareOffPool(batch, settings, &summary)
            // Each batch is recorded once acknowledged, so a stream cut off later (a killed
            // client) leaves the tally true for the batches before. Documents of a slot whose
            // write failed stay listed as unsettled (they may have reached some replicas, so a
            // sync must be able to delete or resend them) but are not counted; see
            // `markUnsettled` and `NamespaceRegistry.info`.
            try namespaces.markUnsettled(batch.namespace, prepared.values.joined().map(\.put.documentID))
            var stored = (documents: UInt64(0), chunks: UInt64(0), tokens: UInt64(0))
            var changes: [String: NamespaceRegistry.Tally?] = [:]
            for (slot, outcome) in await replicate(batch.namespace, prepared).sorted(by: { $0.key < $1.key }) {
                switch outcome {
                case .success(let duplicateChunks):
                    summary.duplicateChunks += duplicateChunks
                    for document in prepared[slot] ?? [] {
                        changes[document.put.documentID] = document.tally
                        stored.documents += 1
                        stored.chunks += document.tally.chunks
                        stored.tokens += document.tally.tokens
                    }
                case .failure(let error):
                    refusals.append(error)
                    let status = RPCError(mapping: error).code
                    for document in prepared[slot] ?? [] {
                        summary.rejected.append(DocumentError(
                            documentID: document.put.documentID,
                            reason: "not stored (\(status)): \(error.message); it may have reached some replicas: send it again",
                            retry: error.code != .invalidArgument))
                    }
                }
            }
            try namespaces.record(batch.namespace, changes)
            summary.documents += stored.documents
            summary.chunks += stored.chunks
            summary.tokens += stored.tokens
            onStored(stored.documents, stored.chunks, stored.tokens)
            onChunksStored(batch.namespace, stored.chunks)
        }
        if summary.documents == 0, let refusal = refusals.first(where: { $0.code == .resourceExhausted }) ?? refusals.first {
            throw refusal
        }
        summary.seconds = (clock.now - started).seconds
        return summary
    }

    private struct PreparedDocument: Sendable {
        var put: PutDocument
        var tally: NamespaceRegistry.Tally
    }

    /// `prepare` off the cooperative pool (`offPool`): chunking and counting a batch is CPU
    /// for as long as its text is, and two ingest streams held both of the pool's threads: the
    /// coordinator answered neither heartbeats nor /metrics for 14 s of a 100M-token ingest,
    /// then declared its worker dead.
    private func prepareOffPool(_ batch: IngestRequest, _ settings: NamespaceRegistry.Settings,
                                _ summary: inout IngestSummary) async throws -> [Int: [PreparedDocument]] {
        let before = summary
        let (prepared, after) = try await offPool { [self] in
            var summary = before
            return (try prepare(batch, settings, &summary), summary)
        }
        summary = after
        return prepared
    }

    /// Chunks, counts and validates a batch; documents that cannot be stored are reported in
    /// the summary and left out. Returns the rest grouped by slot.
    private func prepare(_ batch: IngestRequest, _ settings: NamespaceRegistry.Settings, _ summary: inout IngestSummary) throws -> [Int: [PreparedDocument]] {
        let tokenizer = try TokenizerRegistry.load(TokenizerKind(rawValue: settings.tokenizer) ?? .cl100k)
        let chunker = try Chunker(settings: ChunkerSettings(targetCharacters: Int(settings.chunkChars), overlapCharacters: Int(settings.chunkOverlap)))
        var bySlot: [Int: [PreparedDocument]] = [:]
        var seen: Set<String> = []
        for document in batch.documents {
            do {
                try NamespaceRules.validateDocumentID(document.id)
                guard seen.insert(document.id).inserted else {
                    throw StrataError.invalidArgument("document \(document.id) appears twice in one batch")
                }
                // Checked here so a bad document is reported by id and never sent to a worker;
                // sent sorted by key, the form every replica stores.
                let metadata = try DocumentMetadata(wire: document.metadata, field: "document \(document.id) metadata")
                let chunks = try chunkMessages(document, batch.namespace, settings, tokenizer, chunker)
                let put = PutDocument(documentID: document.id, metadata: metadata.wire, chunks: chunks)
                let tally = NamespaceRegistry.Tally(chunks: UInt64(chunks.count), tokens: chunks.reduce(0) { $0 + UInt64($1.tokenCount) },
                                                    contentHash: DocumentContentHash.of(document))
                bySlot[membership.slots.slot(namespace: batch.namespace, documentID: document.id), default: []]
                    .append(PreparedDocument(put: put, tally: tally))
            } catch let error as StrataError {
                summary.rejected.append(DocumentError(documentID: document.id, reason: error.message))
            }
        }
        return bySlot
    }

    private func chunkMessages(
        _ document: Document, _ namespace: String, _ settings: NamespaceRegistry.Settings,
        _ tokenizer: any TokenCounting, _ chunker: Chunker
    ) throws(StrataError) -> [ChunkMessage] {
        let pieces: [(text: String, provenance: ChunkProvenance, vector: [Float])]
        if !document.chunks.isEmpty {
            guard document.text.isEmpty else {
                throw .invalidArgument("document \(document.id) has both text and chunks; send one of them")
            }
            if let embedder = settings.embedder {
                // Vectors of another model must never mix with the embedder's: the server embeds
                // the chunks itself, so a client vector is refused rather than trusted.
                if let index = document.chunks.firstIndex(where: { !$0.vector.isEmpty }) {
                    throw .invalidArgument("document \(document.id) chunks[\(index)].vector is given, but namespace \(namespace) embeds its text on the server (\(embedder)); send chunks without vectors, or text")
                }
            }
            for (index, chunk) in document.chunks.enumerated() where settings.embedder == nil && (!chunk.vector.isEmpty || settings.dimension > 0) {
                if chunk.vector.isEmpty && settings.dimension > 0 {
                    throw .invalidArgument("document \(document.id) chunks[\(index)].vector is missing; the namespace has dimension \(settings.dimension)")
                }
                try VectorValidation.validate(chunk.vector, dimension: Int(settings.dimension), field: "document \(document.id) chunks[\(index)].vector")
            }
            let provenances = try ClientChunkProvenance.resolve(
                documentID: document.id, texts: document.chunks.map(\.text), given: document.chunks.map(\.provenance))
            pieces = zip(document.chunks, provenances).map { chunk, provenance in (chunk.text, provenance, chunk.vector) }
        } else {
            pieces = chunker.chunk(documentID: document.id, text: document.text).map { ($0.text, $0.provenance, []) }
        }
        guard !pieces.isEmpty else { throw .invalidArgument("document \(document.id) is empty") }
        return try pieces.enumerated().map { (ordinal, piece) throws(StrataError) in
            guard !piece.text.isEmpty else { throw .invalidArgument("document \(document.id) chunks[\(ordinal)] is empty") }
            guard piece.text.utf8.count <= maxChunkBytes else {
                throw .invalidArgument("document \(document.id) chunks[\(ordinal)] is \(piece.text.utf8.count) bytes; the maximum is \(maxChunkBytes)")
            }
            return ChunkMessage(
                namespace: namespace, contentHash: ContentHash.of(piece.text), provenance: piece.provenance,
                ordinal: UInt32(ordinal), text: piece.text, tokenCount: UInt32(clamping: tokenizer.countTokens(piece.text)),
                vector: piece.vector)
        }
    }

    /// Replicates the slots concurrently (each slot's writes numbered under its lock). Returns,
    /// per slot, the chunks whose content was already stored (deduplicated), or why the slot's
    /// writes were not acknowledged.
    private func replicate(_ namespace: String, _ bySlot: [Int: [PreparedDocument]]) async -> [Int: Result<UInt64, StrataError>] {
        await withTaskGroup(of: (Int, Result<UInt64, StrataError>).self) { group in
            for (slot, documents) in bySlot {
                group.addTask {
                    do {
                        return (slot, .success(try await replicator.replicate(slot: slot, count: documents.count) { numbers in
                            zip(numbers, documents).map { sequence, document in
                                StrataWire.SlotWrite(sequence: sequence, namespace: namespace, operation: .put(document.put))
                            }
                        }))
                    } catch {
                        return (slot, .failure(StrataError(relaying: error)))
                    }
                }
            }
            var outcomes: [Int: Result<UInt64, StrataError>] = [:]
            for await (slot, outcome) in group { outcomes[slot] = outcome }
            return outcomes
        }
    }
}
