import CStrataProto
import StrataRPC
import StrataWire

/// `etcdserverpb.Compare`: one test of a transaction's guard.
public struct EtcdCompare: Sendable, Equatable {
    public enum Result: UInt32, Sendable { case equal = 0, greater = 1, less = 2, notEqual = 3 }

    /// The field compared and the value it is compared with (the proto's `target` and
    /// `target_union`, which must agree, as one value).
    public enum Target: Sendable, Equatable {
        case version(Int64)
        case createRevision(Int64)
        case modRevision(Int64)
        case value([UInt8])
        case lease(Int64)
    }

    public var key: [UInt8]
    public var result: Result
    public var target: Target
    /// Empty: `key` alone; otherwise every key of `[key, rangeEnd)` must pass.
    public var rangeEnd: [UInt8]

    public init(key: [UInt8], _ result: Result, _ target: Target, rangeEnd: [UInt8] = []) {
        self.key = key
        self.result = result
        self.target = target
        self.rangeEnd = rangeEnd
    }

    /// The key does not exist (its create revision is 0).
    public static func absent(_ key: [UInt8]) -> EtcdCompare { EtcdCompare(key: key, .equal, .createRevision(0)) }

    static func build(_ compare: EtcdCompare, in arena: WireArena) -> Etcdserverpb__Compare {
        var message = Etcdserverpb__Compare()
        etcdserverpb__compare__init(&message)
        message.key = arena.bytes(compare.key)
        message.range_end = arena.bytes(compare.rangeEnd)
        message.result = Etcdserverpb__Compare__CompareResult(rawValue: compare.result.rawValue)
        switch compare.target {
        case .version(let version):
            message.target = ETCDSERVERPB__COMPARE__COMPARE_TARGET__VERSION
            message.target_union_case = ETCDSERVERPB__COMPARE__TARGET_UNION_VERSION
            message.version = version
        case .createRevision(let revision):
            message.target = ETCDSERVERPB__COMPARE__COMPARE_TARGET__CREATE
            message.target_union_case = ETCDSERVERPB__COMPARE__TARGET_UNION_CREATE_REVISION
            message.create_revision = revision
        case .modRevision(let revision):
            message.target = ETCDSERVERPB__COMPARE__COMPARE_TARGET__MOD
            message.target_union_case = ETCDSERVERPB__COMPARE__TARGET_UNION_MOD_REVISION
            message.mod_revision = revision
        case .value(let value):
            message.target = ETCDSERVERPB__COMPARE__COMPARE_TARGET__VALUE
            message.target_union_case = ETCDSERVERPB__COMPARE__TARGET_UNION_VALUE
            message.value = arena.bytes(value)
        case .lease(let lease):
            message.target = ETCDSERVERPB__COMPARE__COMPARE_TARGET__LEASE
            message.target_union_case = ETCDSERVERPB__COMPARE__TARGET_UNION_LEASE
            message.lease = lease
        }
        return message
    }
}

/// `etcdserverpb.RequestOp`: one operation of a transaction branch.
public enum EtcdRequestOp: Sendable, Equatable {
    case range(EtcdRangeRequest)
    case put(EtcdPutRequest)
    case deleteRange(EtcdDeleteRangeRequest)
    indirect case txn(EtcdTxnRequest)

    static func build(_ operation: EtcdRequestOp, in arena: WireArena) -> Etcdserverpb__RequestOp {
        var message = Etcdserverpb__RequestOp()
        etcdserverpb__request_op__init(&message)
        switch operation {
        case .range(let request):
            message.request_case = ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_RANGE
            message.request_range = arena.message(EtcdRangeRequest.build(request, in: arena))
        case .put(let request):
            message.request_case = ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_PUT
            message.request_put = arena.message(EtcdPutRequest.build(request, in: arena))
        case .deleteRange(let request):
            message.request_case = ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_DELETE_RANGE
            message.request_delete_range = arena.message(EtcdDeleteRangeRequest.build(request, in: arena))
        case .txn(let request):
            message.request_case = ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_TXN
            message.request_txn = arena.message(EtcdTxnRequest.build(request, in: arena))
        }
        return message
    }
}

/// `etcdserverpb.ResponseOp`: the answer to one `EtcdRequestOp`, in the same position.
public enum EtcdResponseOp: Sendable, Equatable {
    case range(EtcdRangeResponse)
    case put(EtcdPutResponse)
    case deleteRange(EtcdDeleteRangeResponse)
    indirect case txn(EtcdTxnResponse)

    static func read(_ message: Etcdserverpb__ResponseOp, at path: () -> String) throws -> EtcdResponseOp {
        switch message.response_case {
        case ETCDSERVERPB__RESPONSE_OP__RESPONSE_RESPONSE_RANGE:
            .range(try WireReader.required(message.response_range, at: path, "response_range", EtcdRangeResponse.read))
        case ETCDSERVERPB__RESPONSE_OP__RESPONSE_RESPONSE_PUT:
            .put(try WireReader.required(message.response_put, at: path, "response_put", EtcdPutResponse.read))
        case ETCDSERVERPB__RESPONSE_OP__RESPONSE_RESPONSE_DELETE_RANGE:
            .deleteRange(try WireReader.required(message.response_delete_range, at: path, "response_delete_range", EtcdDeleteRangeResponse.read))
        case ETCDSERVERPB__RESPONSE_OP__RESPONSE_RESPONSE_TXN:
            .txn(try WireReader.required(message.response_txn, at: path, "response_txn", EtcdTxnResponse.read))
        default:
            throw RPCError(.invalidArgument, "\(WireReader.join(path, "response")) is not set")
        }
    }
}

/// `etcdserverpb.TxnRequest`: if every compare holds, `success` runs, otherwise `failure`;
/// atomically, at one new store revision.
public struct EtcdTxnRequest: Sendable, Equatable {
    public var compare: [EtcdCompare]
    public var success: [EtcdRequestOp]
    public var failure: [EtcdRequestOp]

    public init(compare: [EtcdCompare] = [], success: [EtcdRequestOp] = [], failure: [EtcdRequestOp] = []) {
        self.compare = compare
        self.success = success
        self.failure = failure
    }

    static func build(_ request: EtcdTxnRequest, in arena: WireArena) -> Etcdserverpb__TxnRequest {
        var message = Etcdserverpb__TxnRequest()
        etcdserverpb__txn_request__init(&message)
        message.n_compare = request.compare.count
        message.compare = arena.messages(request.compare.map { EtcdCompare.build($0, in: arena) })
        message.n_success = request.success.count
        message.success = arena.messages(request.success.map { EtcdRequestOp.build($0, in: arena) })
        message.n_failure = request.failure.count
        message.failure = arena.messages(request.failure.map { EtcdRequestOp.build($0, in: arena) })
        return message
    }

    static var codec: WireCodec<Etcdserverpb__TxnRequest> {
        WireCodec(
            name: "etcdserverpb.TxnRequest",
            unpack: { etcdserverpb__txn_request__unpack(nil, $0, $1) },
            free: { etcdserverpb__txn_request__free_unpacked($0, nil) },
            size: { etcdserverpb__txn_request__get_packed_size($0) },
            pack: { etcdserverpb__txn_request__pack($0, $1) })
    }

    public func serializedBytes() -> [UInt8] { Self.codec.encode { Self.build(self, in: $0) } }
}

/// `etcdserverpb.TxnResponse`.
public struct EtcdTxnResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    /// Every compare held (so `success` ran).
    public var succeeded: Bool
    public var responses: [EtcdResponseOp]

    public init(header: EtcdResponseHeader, succeeded: Bool, responses: [EtcdResponseOp] = []) {
        self.header = header
        self.succeeded = succeeded
        self.responses = responses
    }

    static func read(_ message: Etcdserverpb__TxnResponse, at path: () -> String) throws -> EtcdTxnResponse {
        EtcdTxnResponse(
            header: try EtcdResponseHeader.read(message.header, at: path), succeeded: WireReader.flag(message.succeeded),
            responses: try WireReader.messages(message.responses, message.n_responses, at: path, "responses", EtcdResponseOp.read))
    }

    static var codec: WireCodec<Etcdserverpb__TxnResponse> {
        WireCodec(
            name: "etcdserverpb.TxnResponse",
            unpack: { etcdserverpb__txn_response__unpack(nil, $0, $1) },
            free: { etcdserverpb__txn_response__free_unpacked($0, nil) },
            size: { etcdserverpb__txn_response__get_packed_size($0) },
            pack: { etcdserverpb__txn_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { self = try Self.codec.decode(bytes, Self.read) }
}
