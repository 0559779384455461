import StrataCore
import StrataRPC
import StrataSearch
import StrataStore
import StrataWire

/// The worker's search RPCs: CollectStatistics and Search (the two phases of a query over
/// the slots the coordinator's plan gives this worker) and FetchChunks (chunk bodies by hash).
extension WorkerNode {
    static func registerSearchMethods(_ service: inout ServiceDefinition, _ worker: HandlerReference<WorkerNode>) {
        service.unary("CollectStatistics", CollectStatisticsRequest.self, StrataWire.LexicalStatistics.self) { request, _ in
            try worker().collectStatistics(request)
        }
        service.unary("Search", WorkerSearchRequest.self, WorkerSearchResponse.self) { request, _ in
            try worker().search(request)
        }
        service.serverStreaming("FetchChunks", FetchChunksRequest.self, ChunkMessage.self) { request, writer, _ in
            for chunk in try worker().fetchChunks(request) {
                try await writer.send(chunk)
            }
        }
    }

    /// Applies one write to the store and then to the search index, under the slot's write
    /// lock. Refused before the store sees it when the index could not hold it.
    @discardableResult
    func applyIndexed(_ write: StrataStore.SlotWrite, field: String) throws(StrataError) -> ApplyOutcome {
        let store = try openStore()
        try slotRange.check(write.slot)
        guard write.sequence <= MembershipLimits.maximumSequence else {
            throw .invalidArgument("\(field).sequence: \(write.sequence) is above the limit \(MembershipLimits.maximumSequence)")
        }
        try searchIndex.check(write, field: field)
        return try slotWriteLocks.withLock(slot: write.slot) { () throws(StrataError) -> ApplyOutcome in
            let outcome = try store.apply(write)
            if case .applied = outcome { try searchIndex.apply(write, store: store) }
            return outcome
        }
    }

    /// The BM25 statistics of the request's terms over its slots (the filter does not narrow
    /// them; see `SlotSearchIndex.statistics`).
    func collectStatistics(_ request: CollectStatisticsRequest) throws(StrataError) -> StrataWire.LexicalStatistics {
        _ = try openStore()
        guard !request.namespace.isEmpty else { throw .invalidArgument("namespace is empty") }
        return StrataWire.LexicalStatistics(searchIndex.statistics(namespace: request.namespace, slots: request.slots, terms: request.terms))
    }

    /// Searches the request's slots; slots this worker does not hold are listed as missing.
    /// With `include_text` each candidate carries its text from the store; a candidate deleted
    /// between the search and that read is left out. In hybrid mode only the first `top_k`
    /// candidates (this worker's own fusion order) get their text: the answer holds hundreds of
    /// candidates, of which the coordinator keeps `top_k` after fusing every worker's lists, and
    /// those are nearly always among each worker's own best `top_k`. The coordinator fetches
    /// the text of any other kept candidate (FetchChunks), usually sparing that round trip.
    func search(_ request: WorkerSearchRequest) throws(StrataError) -> WorkerSearchResponse {
        let store = try openStore()
        guard !request.namespace.isEmpty else { throw .invalidArgument("namespace is empty") }
        var candidates = try searchIndex.search(SlotQuery(request)).map { Candidate($0, namespace: request.namespace) }
        if request.includeText {
            let textLimit = request.mode == .hybrid ? Int(request.topK == 0 ? UInt32(searchIndex.defaultTopK) : request.topK) : Int.max
            var withText: [Candidate] = []
            withText.reserveCapacity(candidates.count)
            for var candidate in candidates {
                guard withText.count < textLimit else {
                    withText.append(candidate)
                    continue
                }
                guard let read = try Self.liveChunk(store, request.namespace, candidate.chunk.contentHash) else { continue }
                candidate.chunk.text = read.text
                withText.append(candidate)
            }
            candidates = withText
        }
        let held = store.slotSequences()
        let missing = Set(request.slots).filter { held[$0] == nil }.sorted()
        return WorkerSearchResponse(candidates: candidates, missingSlots: missing)
    }

    /// The live chunks of the namespace with the requested content hashes, in request order,
    /// each with text, token count, vector (at the store's precision), provenance and ordinal.
    /// Hashes this worker does not hold (unknown, deleted, or in a slot it lacks) are skipped
    /// without an error: the caller asks the replicas that do hold them.
    func fetchChunks(_ request: FetchChunksRequest) throws(StrataError) -> [ChunkMessage] {
        let store = try openStore()
        guard !request.namespace.isEmpty else { throw .invalidArgument("namespace is empty") }
        var chunks: [ChunkMessage] = []
        for hash in request.contentHashes {
            guard let (ref, detail) = searchIndex.locate(namespace: request.namespace, contentHash: hash),
                  let read = try Self.liveChunk(store, request.namespace, hash) else { continue }
            chunks.append(ChunkMessage(namespace: request.namespace, contentHash: hash, provenance: detail.provenance,
                                       ordinal: UInt32(ref.ordinal), text: read.text, tokenCount: UInt32(clamping: read.tokenCount),
                                       vector: read.vector ?? [], metadata: detail.metadata.wire))
        }
        return chunks
    }

    /// A live chunk from the store; nil when no live document references it any more (a
    /// delete won the race), any other failure (a checksum mismatch) is the caller's error.
    private static func liveChunk(_ store: ChunkStore, _ namespace: String, _ hash: ContentHash) throws(StrataError) -> ChunkRead? {
        do throws(StrataError) {
            return try store.get(StrataStore.ChunkRef(namespace: namespace, hash: hash))
        } catch where error.code == .notFound {
            return nil
        }
    }
}
