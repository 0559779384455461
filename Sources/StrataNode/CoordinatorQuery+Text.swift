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
    /// worker whose answer it came from (`source`: content hash → index in `assignments`). A
    /// candidate whose chunk was deleted since the search is left out, as a worker's
    /// `include_text` does. A worker whose fetch fails has its slots reported missing by the
    /// caller (`failed`). Chunk text is never empty (the store refuses it), so empty means
    /// not attached.
    func withText(_ ranked: [Candidate], namespace: String, source: [ContentHash: Int],
                  assignments: [(worker: WorkerID, address: String, slots: [Int])],
                  options: CallOptions) async -> (candidates: [Candidate], failed: [(index: Int, error: any Error)]) {
        var wanted: [Int: [ContentHash]] = [:]
        for candidate in ranked where candidate.chunk.text.isEmpty {
            guard let index = source[candidate.chunk.contentHash] else { continue }
            if wanted[index]?.contains(candidate.chunk.contentHash) != true { wanted[index, default: []].append(candidate.chunk.contentHash) }
        }
        var texts: [ContentHash: String] = [:]
        var failed: [(index: Int, error: any Error)] = []
        if wanted.isEmpty { return (ranked, failed) }
        await withTaskGroup(of: (Int, Result<[ChunkMessage], any Error>).self) { group in
            for (index, hashes) in wanted {
                let address = assignments[index].address
                group.addTask {
                    do {
                        var chunks: [ChunkMessage] = []
                        for try await bytes in channels.channel(address).serverStreaming(
                            MethodPath.workerFetchChunks, FetchChunksRequest(namespace: namespace, contentHashes: hashes).serializedBytes(),
                            options: options) {
                            chunks.append(try ChunkMessage(serializedBytes: bytes))
                        }
                        return (index, .success(chunks))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            for await (index, result) in group {
                switch result {
                case .success(let chunks): for chunk in chunks { texts[chunk.contentHash] = chunk.text }
                case .failure(let error): failed.append((index, error))
                }
            }
        }
        let candidates = ranked.compactMap { candidate -> Candidate? in
            if !candidate.chunk.text.isEmpty { return candidate }
            guard let text = texts[candidate.chunk.contentHash] else { return nil }
            var withText = candidate
            withText.chunk.text = text
            return withText
        }
        return (candidates, failed)
    }
}
