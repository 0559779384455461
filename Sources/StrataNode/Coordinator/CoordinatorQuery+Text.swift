import StrataCluster
import StrataCore
import StrataRPC
import StrataWire

extension CoordinatorQuery {
    /// Whether some kept candidates may lack their text after the merge, to be fetched with
    /// `withText`. A hybrid answer has each worker's whole lexical and vector lists --
    /// hundreds of candidates per worker, of which the fused top_k are kept -- so a worker
    /// attaches text only to its own best top_k (see `WorkerNode.search`), and the texts of
    /// the other kept candidates, if any, are fetched after the merge: one FetchChunks call
    /// per worker that ranked such a candidate, none at all in the usual case.
    static func fetchesText(_ mode: QueryMode) -> Bool { mode == .hybrid }

    /// The ranked candidates with their text: a candidate that has none yet gets it from the
    /// replica whose answer it came from (`source`), or, when that one does not answer, from
    /// another replica of the candidate's slot (`HedgedReads`). A candidate whose chunk was
    /// deleted since the search is left out, as a worker's `include_text` does; so is one no
    /// replica of whose slot answered (`unanswered`: the caller reports those slots missing).
    /// Chunk text is never empty (the store refuses it), so empty means not attached.
    func withText(_ ranked: [Candidate], namespace: String, source: [ContentHash: HedgedReads.Target],
                  reads: HedgedReads) async -> (candidates: [Candidate], unanswered: [Int], failures: [String]) {
        // The hashes to fetch, by slot, and the slots by the worker that found them.
        var hashes: [Int: [ContentHash]] = [:]
        var targets: [WorkerID: HedgedReads.Target] = [:]
        for candidate in ranked where candidate.chunk.text.isEmpty {
            guard let found = source[candidate.chunk.contentHash] else { continue }
            let slot = membership.slots.slot(namespace: namespace, documentID: candidate.chunk.provenance.documentID)
            guard hashes[slot]?.contains(candidate.chunk.contentHash) != true else { continue }
            hashes[slot, default: []].append(candidate.chunk.contentHash)
            var target = targets[found.worker] ?? HedgedReads.Target(worker: found.worker, address: found.address, slots: [], stale: [])
            if !target.slots.contains(slot) { target.slots.append(slot) }
            targets[found.worker] = target
        }
        if hashes.isEmpty { return (ranked, [], []) }
        let wanted = hashes
        let outcome = await reads.read(targets.values.sorted { $0.worker < $1.worker }) { target, options in
            var chunks: [ChunkMessage] = []
            let request = FetchChunksRequest(namespace: namespace, contentHashes: target.slots.flatMap { wanted[$0] ?? [] })
            for try await bytes in channels.channel(target.address).serverStreaming(
                MethodPath.workerFetchChunks, request.serializedBytes(), options: options) {
                chunks.append(try ChunkMessage(serializedBytes: bytes))
            }
            return chunks
        }
        var texts: [ContentHash: String] = [:]
        for chunk in outcome.answers.flatMap(\.value) { texts[chunk.contentHash] = chunk.text }
        let candidates = ranked.compactMap { candidate -> Candidate? in
            if !candidate.chunk.text.isEmpty { return candidate }
            guard let text = texts[candidate.chunk.contentHash] else { return nil }
            var withText = candidate
            withText.chunk.text = text
            return withText
        }
        return (candidates, outcome.unanswered, outcome.failures)
    }
}
