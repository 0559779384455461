import StrataCore
import StrataSearch
import StrataWire

/// Search messages in StrataSearch's terms and back: the only place where the wire's search
/// types meet StrataSearch's (the worker's handlers and the coordinator's query use it).
extension SlotQuery {
    init(_ request: WorkerSearchRequest) {
        let mode: SearchMode? = switch request.mode {
        case .lexical: .lexical
        case .vector: .vector
        case .hybrid: .hybrid
        default: nil
        }
        self.init(namespace: request.namespace, slots: request.slots, text: request.text, vector: request.vector, mode: mode,
                  topK: request.topK, lexicalWeight: request.lexicalWeight, documentPrefix: request.filter.documentPrefix,
                  metadataEquals: request.filter.metadataEquals.map { (key: $0.key, value: $0.value) },
                  globalStatistics: TermCounts(request.globalStatistics))
    }
}

extension Candidate {
    /// A worker's candidate as the wire carries it (text is added by the caller).
    init(_ candidate: SlotCandidate, namespace: String) {
        let chunk = ChunkMessage(namespace: namespace, contentHash: candidate.ref.contentHash, provenance: candidate.detail.provenance,
                                 ordinal: UInt32(candidate.ref.ordinal), text: "", tokenCount: UInt32(clamping: candidate.detail.tokenCount),
                                 metadata: candidate.detail.metadata.wire)
        self.init(chunk: chunk, score: candidate.score, lexicalScore: candidate.lexicalScore, vectorScore: candidate.vectorScore,
                  lexicalRank: candidate.lexicalRank, vectorRank: candidate.vectorRank)
    }

    /// The candidate as StrataSearch merges it: a component score only for a list it is in.
    var hit: SearchHit {
        SearchHit(ref: StrataSearch.ChunkRef(documentID: chunk.provenance.documentID, ordinal: Int32(clamping: chunk.ordinal),
                                             contentHash: chunk.contentHash),
                  score: score, lexicalScore: lexicalRank > 0 ? lexicalScore : nil, vectorScore: vectorRank > 0 ? vectorScore : nil)
    }
}

extension TermCounts {
    init(_ statistics: StrataWire.LexicalStatistics) {
        self.init(chunkCount: statistics.chunkCount, totalLength: statistics.totalLength, documentFrequencies: statistics.documentFrequencies)
    }
}

extension StrataWire.LexicalStatistics {
    init(_ counts: TermCounts) {
        self.init(chunkCount: counts.chunkCount, totalLength: counts.totalLength, documentFrequencies: counts.documentFrequencies)
    }
}
