import CStrataProto
import StrataCore
import StrataRPC

// worker.proto: the two phases of a distributed search, and chunk fetches.

/// `strata.v1.CollectStatisticsRequest`: first phase of a query.
public struct CollectStatisticsRequest: RPCMessage, Equatable {
    public var namespace: String
    public var slots: [UInt32]
    /// The analyzed query terms.
    public var terms: [String]
    public var filter: Filter

    public init(namespace: String, slots: [UInt32], terms: [String], filter: Filter = Filter()) {
        self.namespace = namespace
        self.slots = slots
        self.terms = terms
        self.filter = filter
    }

    static var codec: WireCodec<Strata__V1__CollectStatisticsRequest> {
        WireCodec(name: "strata.v1.CollectStatisticsRequest",
                  unpack: { strata__v1__collect_statistics_request__unpack(nil, $0, $1) },
                  free: { strata__v1__collect_statistics_request__free_unpacked($0, nil) },
                  size: { strata__v1__collect_statistics_request__get_packed_size($0) },
                  pack: { strata__v1__collect_statistics_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            CollectStatisticsRequest(
                namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                slots: WireReader.array(message.slots, message.n_slots),
                terms: try WireReader.strings(message.terms, message.n_terms, at: path, "terms"),
                filter: try Filter.read(message.filter, at: path))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__CollectStatisticsRequest()
            strata__v1__collect_statistics_request__init(&message)
            message.namespace_ = arena.string(namespace)
            message.n_slots = slots.count
            message.slots = arena.array(slots)
            message.n_terms = terms.count
            message.terms = arena.strings(terms)
            message.filter = Filter.build(filter, in: arena)
            return message
        }
    }
}

/// `strata.v1.LexicalStatistics`: BM25 statistics; sums combine across workers.
public struct LexicalStatistics: RPCMessage, Equatable {
    public var chunkCount: UInt64
    public var totalLength: UInt64
    /// Per requested term, in the request's order.
    public var documentFrequencies: [UInt64]

    public init(chunkCount: UInt64 = 0, totalLength: UInt64 = 0, documentFrequencies: [UInt64] = []) {
        self.chunkCount = chunkCount
        self.totalLength = totalLength
        self.documentFrequencies = documentFrequencies
    }

    static var codec: WireCodec<Strata__V1__LexicalStatistics> {
        WireCodec(name: "strata.v1.LexicalStatistics",
                  unpack: { strata__v1__lexical_statistics__unpack(nil, $0, $1) },
                  free: { strata__v1__lexical_statistics__free_unpacked($0, nil) },
                  size: { strata__v1__lexical_statistics__get_packed_size($0) },
                  pack: { strata__v1__lexical_statistics__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { self = try Self.codec.decode(bytes, Self.read) }

    public func serializedBytes() -> [UInt8] { Self.codec.encode { Self.build(self, in: $0) } }

    static func build(_ statistics: LexicalStatistics, in arena: WireArena) -> Strata__V1__LexicalStatistics {
        var message = Strata__V1__LexicalStatistics()
        strata__v1__lexical_statistics__init(&message)
        message.chunk_count = statistics.chunkCount
        message.total_length = statistics.totalLength
        message.n_document_frequencies = statistics.documentFrequencies.count
        message.document_frequencies = arena.array(statistics.documentFrequencies)
        return message
    }

    static func read(_ message: Strata__V1__LexicalStatistics, at path: () -> String) -> LexicalStatistics {
        LexicalStatistics(chunkCount: message.chunk_count, totalLength: message.total_length,
                          documentFrequencies: WireReader.array(message.document_frequencies, message.n_document_frequencies))
    }
}

/// `strata.v1.WorkerSearchRequest`: second phase of a query, on one worker.
public struct WorkerSearchRequest: RPCMessage, Equatable {
    public var namespace: String
    public var slots: [UInt32]
    public var text: String
    public var vector: [Float]
    public var mode: QueryMode
    public var topK: UInt32
    public var filter: Filter
    /// Cluster-wide statistics of the query's terms.
    public var globalStatistics: LexicalStatistics
    public var lexicalWeight: Float
    /// Candidates carry their chunk text.
    public var includeText: Bool

    public init(namespace: String, slots: [UInt32], text: String = "", vector: [Float] = [], mode: QueryMode = .auto,
                topK: UInt32 = 0, filter: Filter = Filter(), globalStatistics: LexicalStatistics = LexicalStatistics(),
                lexicalWeight: Float = 0, includeText: Bool = false) {
        self.namespace = namespace
        self.slots = slots
        self.text = text
        self.vector = vector
        self.mode = mode
        self.topK = topK
        self.filter = filter
        self.globalStatistics = globalStatistics
        self.lexicalWeight = lexicalWeight
        self.includeText = includeText
    }

    static var codec: WireCodec<Strata__V1__WorkerSearchRequest> {
        WireCodec(name: "strata.v1.WorkerSearchRequest",
                  unpack: { strata__v1__worker_search_request__unpack(nil, $0, $1) },
                  free: { strata__v1__worker_search_request__free_unpacked($0, nil) },
                  size: { strata__v1__worker_search_request__get_packed_size($0) },
                  pack: { strata__v1__worker_search_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            WorkerSearchRequest(
                namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                slots: WireReader.array(message.slots, message.n_slots),
                text: try WireReader.string(message.text, at: WireReader.join(path, "text")),
                vector: WireReader.array(message.vector, message.n_vector),
                mode: try WireReader.enumeration(message.mode.rawValue, at: WireReader.join(path, "mode")),
                topK: message.top_k,
                filter: try Filter.read(message.filter, at: path),
                globalStatistics: try WireReader.message(message.global_statistics, at: path, "global_statistics",
                                                         absent: LexicalStatistics(), LexicalStatistics.read),
                lexicalWeight: message.lexical_weight,
                includeText: WireReader.flag(message.include_text))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__WorkerSearchRequest()
            strata__v1__worker_search_request__init(&message)
            message.namespace_ = arena.string(namespace)
            message.n_slots = slots.count
            message.slots = arena.array(slots)
            message.text = arena.string(text)
            message.n_vector = vector.count
            message.vector = arena.array(vector)
            message.mode = mode.wire
            message.top_k = topK
            message.filter = Filter.build(filter, in: arena)
            message.global_statistics = arena.message(LexicalStatistics.build(globalStatistics, in: arena))
            message.lexical_weight = lexicalWeight
            message.include_text = arena.flag(includeText)
            return message
        }
    }
}

/// `strata.v1.Candidate`: one ranked chunk from a worker.
public struct Candidate: Sendable, Equatable {
    public var chunk: ChunkMessage
    public var score: Double
    /// Component scores and ranks, for fusion at the coordinator.
    public var lexicalScore: Double
    public var vectorScore: Double
    public var lexicalRank: UInt32
    public var vectorRank: UInt32

    public init(chunk: ChunkMessage, score: Double, lexicalScore: Double = 0, vectorScore: Double = 0,
                lexicalRank: UInt32 = 0, vectorRank: UInt32 = 0) {
        self.chunk = chunk
        self.score = score
        self.lexicalScore = lexicalScore
        self.vectorScore = vectorScore
        self.lexicalRank = lexicalRank
        self.vectorRank = vectorRank
    }

    static func build(_ candidate: Candidate, in arena: WireArena) -> Strata__V1__Candidate {
        var message = Strata__V1__Candidate()
        strata__v1__candidate__init(&message)
        message.chunk = arena.message(ChunkMessage.build(candidate.chunk, in: arena))
        message.score = candidate.score
        message.lexical_score = candidate.lexicalScore
        message.vector_score = candidate.vectorScore
        message.lexical_rank = candidate.lexicalRank
        message.vector_rank = candidate.vectorRank
        return message
    }

    static func read(_ message: Strata__V1__Candidate, at path: () -> String) throws -> Candidate {
        // A candidate without its chunk identifies nothing.
        Candidate(chunk: try WireReader.required(message.chunk, at: path, "chunk", ChunkMessage.read),
                  score: message.score, lexicalScore: message.lexical_score, vectorScore: message.vector_score,
                  lexicalRank: message.lexical_rank, vectorRank: message.vector_rank)
    }
}

/// `strata.v1.WorkerSearchResponse`.
public struct WorkerSearchResponse: RPCMessage, Equatable {
    public var candidates: [Candidate]
    /// Slots asked for that this worker does not hold.
    public var missingSlots: [UInt32]

    public init(candidates: [Candidate], missingSlots: [UInt32] = []) {
        self.candidates = candidates
        self.missingSlots = missingSlots
    }

    static var codec: WireCodec<Strata__V1__WorkerSearchResponse> {
        WireCodec(name: "strata.v1.WorkerSearchResponse",
                  unpack: { strata__v1__worker_search_response__unpack(nil, $0, $1) },
                  free: { strata__v1__worker_search_response__free_unpacked($0, nil) },
                  size: { strata__v1__worker_search_response__get_packed_size($0) },
                  pack: { strata__v1__worker_search_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            WorkerSearchResponse(
                candidates: try WireReader.messages(message.candidates, message.n_candidates, at: path, "candidates", Candidate.read),
                missingSlots: WireReader.array(message.missing_slots, message.n_missing_slots))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__WorkerSearchResponse()
            strata__v1__worker_search_response__init(&message)
            message.n_candidates = candidates.count
            message.candidates = arena.messages(candidates.map { Candidate.build($0, in: arena) })
            message.n_missing_slots = missingSlots.count
            message.missing_slots = arena.array(missingSlots)
            return message
        }
    }
}

/// `strata.v1.FetchChunksRequest`: chunks by content hash, for context assembly.
public struct FetchChunksRequest: RPCMessage, Equatable {
    public var namespace: String
    public var contentHashes: [ContentHash]

    public init(namespace: String, contentHashes: [ContentHash]) {
        self.namespace = namespace
        self.contentHashes = contentHashes
    }

    static var codec: WireCodec<Strata__V1__FetchChunksRequest> {
        WireCodec(name: "strata.v1.FetchChunksRequest",
                  unpack: { strata__v1__fetch_chunks_request__unpack(nil, $0, $1) },
                  free: { strata__v1__fetch_chunks_request__free_unpacked($0, nil) },
                  size: { strata__v1__fetch_chunks_request__get_packed_size($0) },
                  pack: { strata__v1__fetch_chunks_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            let hashes = WireReader.array(message.content_hashes, message.n_content_hashes)
            return FetchChunksRequest(
                namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                contentHashes: try hashes.enumerated().map { index, data in
                    try WireReader.contentHash(data, at: "\(WireReader.join(path, "content_hashes"))[\(index)]")
                })
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__FetchChunksRequest()
            strata__v1__fetch_chunks_request__init(&message)
            message.namespace_ = arena.string(namespace)
            message.n_content_hashes = contentHashes.count
            message.content_hashes = arena.array(contentHashes.map { arena.contentHash($0) })
            return message
        }
    }
}
