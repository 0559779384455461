import CStrataProto
import StrataCore
import StrataRPC

// coordinator.proto: the Query call.

/// `strata.v1.QueryRequest`.
public struct QueryRequest: RPCMessage, Equatable {
    public var namespace: String
    public var text: String
    public var vector: [Float]
    public var mode: QueryMode
    /// 0: the server default (10).
    public var topK: UInt32
    /// 0: ranked chunks only, nothing assembled.
    public var tokenBudget: UInt32
    public var filter: Filter
    public var order: ContextOrder
    /// 0: the server default.
    public var lexicalWeight: Float

    public init(namespace: String, text: String = "", vector: [Float] = [], mode: QueryMode = .auto, topK: UInt32 = 0,
                tokenBudget: UInt32 = 0, filter: Filter = Filter(), order: ContextOrder = .document, lexicalWeight: Float = 0) {
        self.namespace = namespace
        self.text = text
        self.vector = vector
        self.mode = mode
        self.topK = topK
        self.tokenBudget = tokenBudget
        self.filter = filter
        self.order = order
        self.lexicalWeight = lexicalWeight
    }

    static var codec: WireCodec<Strata__V1__QueryRequest> {
        WireCodec(name: "strata.v1.QueryRequest",
                  unpack: { strata__v1__query_request__unpack(nil, $0, $1) },
                  free: { strata__v1__query_request__free_unpacked($0, nil) },
                  size: { strata__v1__query_request__get_packed_size($0) },
                  pack: { strata__v1__query_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            QueryRequest(
                namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
                text: try WireReader.string(message.text, at: WireReader.join(path, "text")),
                vector: WireReader.array(message.vector, message.n_vector),
                mode: try WireReader.enumeration(message.mode.rawValue, at: WireReader.join(path, "mode")),
                topK: message.top_k, tokenBudget: message.token_budget,
                filter: try Filter.read(message.filter, at: path),
                order: try WireReader.enumeration(message.order.rawValue, at: WireReader.join(path, "order")),
                lexicalWeight: message.lexical_weight)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__QueryRequest()
            strata__v1__query_request__init(&message)
            message.namespace_ = arena.string(namespace)
            message.text = arena.string(text)
            message.n_vector = vector.count
            message.vector = arena.array(vector)
            message.mode = mode.wire
            message.top_k = topK
            message.token_budget = tokenBudget
            message.filter = Filter.build(filter, in: arena)
            message.order = order.wire
            message.lexical_weight = lexicalWeight
            return message
        }
    }
}

/// `strata.v1.QueryResponse`: one item of a query's answer stream (the proto's `item` oneof).
public enum QueryResponse: RPCMessage, Equatable {
    /// Sent first.
    case header(QueryHeader)
    case passage(Passage)
    /// Continues the text of the last passage.
    case textFragment(String)
    /// Sent last.
    case summary(QuerySummary)

    static var codec: WireCodec<Strata__V1__QueryResponse> {
        WireCodec(name: "strata.v1.QueryResponse",
                  unpack: { strata__v1__query_response__unpack(nil, $0, $1) },
                  free: { strata__v1__query_response__free_unpacked($0, nil) },
                  size: { strata__v1__query_response__get_packed_size($0) },
                  pack: { strata__v1__query_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            switch message.item_case {
            case STRATA__V1__QUERY_RESPONSE__ITEM_HEADER:
                .header(try WireReader.message(message.header, at: path, "header", absent: QueryHeader(), QueryHeader.read))
            case STRATA__V1__QUERY_RESPONSE__ITEM_PASSAGE:
                .passage(try WireReader.message(message.passage, at: path, "passage", absent: Passage(), Passage.read))
            case STRATA__V1__QUERY_RESPONSE__ITEM_TEXT_FRAGMENT:
                .textFragment(try WireReader.string(message.text_fragment, at: WireReader.join(path, "text_fragment")))
            case STRATA__V1__QUERY_RESPONSE__ITEM_SUMMARY:
                .summary(try WireReader.message(message.summary, at: path, "summary", absent: QuerySummary(), QuerySummary.read))
            default:
                // An empty item carries nothing a client could act on.
                throw RPCError(.invalidArgument, "strata.v1.QueryResponse carries no item")
            }
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__QueryResponse()
            strata__v1__query_response__init(&message)
            switch self {
            case .header(let header):
                message.item_case = STRATA__V1__QUERY_RESPONSE__ITEM_HEADER
                message.header = arena.message(QueryHeader.build(header, in: arena))
            case .passage(let passage):
                message.item_case = STRATA__V1__QUERY_RESPONSE__ITEM_PASSAGE
                message.passage = arena.message(Passage.build(passage, in: arena))
            case .textFragment(let text):
                message.item_case = STRATA__V1__QUERY_RESPONSE__ITEM_TEXT_FRAGMENT
                message.text_fragment = arena.string(text)
            case .summary(let summary):
                message.item_case = STRATA__V1__QUERY_RESPONSE__ITEM_SUMMARY
                message.summary = arena.message(QuerySummary.build(summary, in: arena))
            }
            return message
        }
    }
}

/// `strata.v1.QueryHeader`.
public struct QueryHeader: Sendable, Equatable {
    /// The mode actually used (never `.auto`).
    public var mode: QueryMode
    /// Some slots had no live replica.
    public var degraded: Bool
    public var missingSlots: [UInt32]
    public var degradedReason: String
    /// Answered from a cluster map not confirmed with etcd for longer than
    /// `coordinator.stale_after_ms` (independent of `degraded`).
    public var stale: Bool
    public var staleReason: String

    public init(mode: QueryMode = .auto, degraded: Bool = false, missingSlots: [UInt32] = [], degradedReason: String = "",
                stale: Bool = false, staleReason: String = "") {
        self.mode = mode
        self.degraded = degraded
        self.missingSlots = missingSlots
        self.degradedReason = degradedReason
        self.stale = stale
        self.staleReason = staleReason
    }

    static func build(_ header: QueryHeader, in arena: WireArena) -> Strata__V1__QueryHeader {
        var message = Strata__V1__QueryHeader()
        strata__v1__query_header__init(&message)
        message.mode = header.mode.wire
        message.degraded = arena.flag(header.degraded)
        message.n_missing_slots = header.missingSlots.count
        message.missing_slots = arena.array(header.missingSlots)
        message.degraded_reason = arena.string(header.degradedReason)
        message.stale = arena.flag(header.stale)
        message.stale_reason = arena.string(header.staleReason)
        return message
    }

    static func read(_ message: Strata__V1__QueryHeader, at path: () -> String) throws -> QueryHeader {
        QueryHeader(
            mode: try WireReader.enumeration(message.mode.rawValue, at: WireReader.join(path, "mode")),
            degraded: WireReader.flag(message.degraded),
            missingSlots: WireReader.array(message.missing_slots, message.n_missing_slots),
            degradedReason: try WireReader.string(message.degraded_reason, at: WireReader.join(path, "degraded_reason")),
            stale: WireReader.flag(message.stale),
            staleReason: try WireReader.string(message.stale_reason, at: WireReader.join(path, "stale_reason")))
    }
}

/// `strata.v1.Passage`: adjacent chunks of one document in the assembled context.
public struct Passage: Sendable, Equatable {
    public var provenance: ChunkProvenance
    /// The best score among its chunks.
    public var score: Double
    /// Text plus the header Strata adds.
    public var tokens: UInt32
    /// The text, or its first part when text fragments follow.
    public var text: String
    /// 1-based rank of its best chunk.
    public var rank: UInt32
    /// Its document's metadata as ingested (sorted by key); empty when the document has none.
    public var metadata: [KeyValue]

    public init(provenance: ChunkProvenance = ChunkProvenance(documentID: "", byteStart: 0, byteEnd: 0, lineStart: 0, lineEnd: 0),
                score: Double = 0, tokens: UInt32 = 0, text: String = "", rank: UInt32 = 0, metadata: [KeyValue] = []) {
        self.provenance = provenance
        self.score = score
        self.tokens = tokens
        self.text = text
        self.rank = rank
        self.metadata = metadata
    }

    static func build(_ passage: Passage, in arena: WireArena) -> Strata__V1__Passage {
        var message = Strata__V1__Passage()
        strata__v1__passage__init(&message)
        message.provenance = ProvenanceWire.build(passage.provenance, in: arena)
        message.score = passage.score
        message.tokens = passage.tokens
        message.text = arena.string(passage.text)
        message.rank = passage.rank
        message.n_metadata = passage.metadata.count
        message.metadata = KeyValue.buildAll(passage.metadata, in: arena)
        return message
    }

    static func read(_ message: Strata__V1__Passage, at path: () -> String) throws -> Passage {
        Passage(provenance: try ProvenanceWire.read(message.provenance, at: path),
                score: message.score, tokens: message.tokens,
                text: try WireReader.string(message.text, at: WireReader.join(path, "text")),
                rank: message.rank,
                metadata: try WireReader.messages(message.metadata, message.n_metadata, at: path, "metadata", KeyValue.read))
    }
}

/// `strata.v1.QuerySummary`.
public struct QuerySummary: Sendable, Equatable {
    public var passages: UInt32
    public var tokens: UInt32
    public var candidates: UInt32
    public var searchMs: Double
    public var assembleMs: Double
    /// The context as it goes into a prompt; empty for passages only or budgets over 64K.
    public var rendered: String

    public init(passages: UInt32 = 0, tokens: UInt32 = 0, candidates: UInt32 = 0, searchMs: Double = 0,
                assembleMs: Double = 0, rendered: String = "") {
        self.passages = passages
        self.tokens = tokens
        self.candidates = candidates
        self.searchMs = searchMs
        self.assembleMs = assembleMs
        self.rendered = rendered
    }

    static func build(_ summary: QuerySummary, in arena: WireArena) -> Strata__V1__QuerySummary {
        var message = Strata__V1__QuerySummary()
        strata__v1__query_summary__init(&message)
        message.passages = summary.passages
        message.tokens = summary.tokens
        message.candidates = summary.candidates
        message.search_ms = summary.searchMs
        message.assemble_ms = summary.assembleMs
        message.rendered = arena.string(summary.rendered)
        return message
    }

    static func read(_ message: Strata__V1__QuerySummary, at path: () -> String) throws -> QuerySummary {
        QuerySummary(passages: message.passages, tokens: message.tokens, candidates: message.candidates,
                     searchMs: message.search_ms, assembleMs: message.assemble_ms,
                     rendered: try WireReader.string(message.rendered, at: WireReader.join(path, "rendered")))
    }
}
