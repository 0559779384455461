import CStrataProto
import StrataRPC
import StrataWire

/// `etcdserverpb.RangeRequest`: reads a key or a range of keys.
public struct EtcdRangeRequest: Sendable, Equatable {
    public enum SortOrder: UInt32, Sendable { case none = 0, ascend = 1, descend = 2 }
    public enum SortTarget: UInt32, Sendable { case key = 0, version = 1, create = 2, mod = 3, value = 4 }

    public var key: [UInt8]
    /// Empty: only `key`; otherwise the end (exclusive) of the range (`EtcdKeyRange.prefixEnd`).
    public var rangeEnd: [UInt8]
    /// At most this many keys (0: no limit).
    public var limit: Int64
    /// Read the store as of this revision (0: the newest).
    public var revision: Int64
    public var sortOrder: SortOrder
    public var sortTarget: SortTarget
    /// Answer from the member's own copy without a quorum round (may be stale).
    public var serializable: Bool
    public var keysOnly: Bool
    public var countOnly: Bool

    public init(key: [UInt8], rangeEnd: [UInt8] = [], limit: Int64 = 0, revision: Int64 = 0, sortOrder: SortOrder = .none,
                sortTarget: SortTarget = .key, serializable: Bool = false, keysOnly: Bool = false, countOnly: Bool = false) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.limit = limit
        self.revision = revision
        self.sortOrder = sortOrder
        self.sortTarget = sortTarget
        self.serializable = serializable
        self.keysOnly = keysOnly
        self.countOnly = countOnly
    }

    /// Every key starting with `prefix`.
    public static func prefix(_ prefix: [UInt8], limit: Int64 = 0, sortOrder: SortOrder = .none, sortTarget: SortTarget = .key) -> EtcdRangeRequest {
        EtcdRangeRequest(key: prefix, rangeEnd: EtcdKeyRange.prefixEnd(prefix), limit: limit, sortOrder: sortOrder, sortTarget: sortTarget)
    }

    static func build(_ request: EtcdRangeRequest, in arena: WireArena) -> Etcdserverpb__RangeRequest {
        var message = Etcdserverpb__RangeRequest()
        etcdserverpb__range_request__init(&message)
        message.key = arena.bytes(request.key)
        message.range_end = arena.bytes(request.rangeEnd)
        message.limit = request.limit
        message.revision = request.revision
        message.sort_order = Etcdserverpb__RangeRequest__SortOrder(rawValue: request.sortOrder.rawValue)
        message.sort_target = Etcdserverpb__RangeRequest__SortTarget(rawValue: request.sortTarget.rawValue)
        message.serializable = arena.flag(request.serializable)
        message.keys_only = arena.flag(request.keysOnly)
        message.count_only = arena.flag(request.countOnly)
        return message
    }

    static var codec: WireCodec<Etcdserverpb__RangeRequest> {
        WireCodec(
            name: "etcdserverpb.RangeRequest",
            unpack: { etcdserverpb__range_request__unpack(nil, $0, $1) },
            free: { etcdserverpb__range_request__free_unpacked($0, nil) },
            size: { etcdserverpb__range_request__get_packed_size($0) },
            pack: { etcdserverpb__range_request__pack($0, $1) })
    }

    public func serializedBytes() -> [UInt8] { Self.codec.encode { Self.build(self, in: $0) } }
}

/// `etcdserverpb.RangeResponse`.
public struct EtcdRangeResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var kvs: [EtcdKeyValue]
    /// More keys matched than `limit` let through.
    public var more: Bool
    /// How many keys matched (all of them, whatever the limit).
    public var count: Int64

    public init(header: EtcdResponseHeader, kvs: [EtcdKeyValue], more: Bool = false, count: Int64 = 0) {
        self.header = header
        self.kvs = kvs
        self.more = more
        self.count = count
    }

    static func read(_ message: Etcdserverpb__RangeResponse, at path: () -> String) throws -> EtcdRangeResponse {
        EtcdRangeResponse(
            header: try EtcdResponseHeader.read(message.header, at: path),
            kvs: try WireReader.messages(message.kvs, message.n_kvs, at: path, "kvs") { EtcdKeyValue.read($0, at: $1) },
            more: WireReader.flag(message.more), count: message.count)
    }

    static var codec: WireCodec<Etcdserverpb__RangeResponse> {
        WireCodec(
            name: "etcdserverpb.RangeResponse",
            unpack: { etcdserverpb__range_response__unpack(nil, $0, $1) },
            free: { etcdserverpb__range_response__free_unpacked($0, nil) },
            size: { etcdserverpb__range_response__get_packed_size($0) },
            pack: { etcdserverpb__range_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { self = try Self.codec.decode(bytes, Self.read) }
}

/// `etcdserverpb.PutRequest`: writes one key.
public struct EtcdPutRequest: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]
    /// Attach the key to this lease (0: none); the key goes when the lease does.
    public var lease: Int64
    /// Return the previous key-value.
    public var prevKV: Bool

    public init(key: [UInt8], value: [UInt8], lease: Int64 = 0, prevKV: Bool = false) {
        self.key = key
        self.value = value
        self.lease = lease
        self.prevKV = prevKV
    }

    static func build(_ request: EtcdPutRequest, in arena: WireArena) -> Etcdserverpb__PutRequest {
        var message = Etcdserverpb__PutRequest()
        etcdserverpb__put_request__init(&message)
        message.key = arena.bytes(request.key)
        message.value = arena.bytes(request.value)
        message.lease = request.lease
        message.prev_kv = arena.flag(request.prevKV)
        return message
    }

    static var codec: WireCodec<Etcdserverpb__PutRequest> {
        WireCodec(
            name: "etcdserverpb.PutRequest",
            unpack: { etcdserverpb__put_request__unpack(nil, $0, $1) },
            free: { etcdserverpb__put_request__free_unpacked($0, nil) },
            size: { etcdserverpb__put_request__get_packed_size($0) },
            pack: { etcdserverpb__put_request__pack($0, $1) })
    }

    public func serializedBytes() -> [UInt8] { Self.codec.encode { Self.build(self, in: $0) } }
}

/// `etcdserverpb.PutResponse`.
public struct EtcdPutResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var prevKV: EtcdKeyValue?

    public init(header: EtcdResponseHeader, prevKV: EtcdKeyValue? = nil) {
        self.header = header
        self.prevKV = prevKV
    }

    static func read(_ message: Etcdserverpb__PutResponse, at path: () -> String) throws -> EtcdPutResponse {
        EtcdPutResponse(
            header: try EtcdResponseHeader.read(message.header, at: path),
            prevKV: try WireReader.message(message.prev_kv, at: path, "prev_kv", absent: nil) { EtcdKeyValue.read($0, at: $1) })
    }

    static var codec: WireCodec<Etcdserverpb__PutResponse> {
        WireCodec(
            name: "etcdserverpb.PutResponse",
            unpack: { etcdserverpb__put_response__unpack(nil, $0, $1) },
            free: { etcdserverpb__put_response__free_unpacked($0, nil) },
            size: { etcdserverpb__put_response__get_packed_size($0) },
            pack: { etcdserverpb__put_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { self = try Self.codec.decode(bytes, Self.read) }
}

/// `etcdserverpb.DeleteRangeRequest`: deletes a key or a range of keys.
public struct EtcdDeleteRangeRequest: Sendable, Equatable {
    public var key: [UInt8]
    public var rangeEnd: [UInt8]
    public var prevKV: Bool

    public init(key: [UInt8], rangeEnd: [UInt8] = [], prevKV: Bool = false) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.prevKV = prevKV
    }

    static func build(_ request: EtcdDeleteRangeRequest, in arena: WireArena) -> Etcdserverpb__DeleteRangeRequest {
        var message = Etcdserverpb__DeleteRangeRequest()
        etcdserverpb__delete_range_request__init(&message)
        message.key = arena.bytes(request.key)
        message.range_end = arena.bytes(request.rangeEnd)
        message.prev_kv = arena.flag(request.prevKV)
        return message
    }

    static var codec: WireCodec<Etcdserverpb__DeleteRangeRequest> {
        WireCodec(
            name: "etcdserverpb.DeleteRangeRequest",
            unpack: { etcdserverpb__delete_range_request__unpack(nil, $0, $1) },
            free: { etcdserverpb__delete_range_request__free_unpacked($0, nil) },
            size: { etcdserverpb__delete_range_request__get_packed_size($0) },
            pack: { etcdserverpb__delete_range_request__pack($0, $1) })
    }

    public func serializedBytes() -> [UInt8] { Self.codec.encode { Self.build(self, in: $0) } }
}

/// `etcdserverpb.DeleteRangeResponse`.
public struct EtcdDeleteRangeResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var deleted: Int64
    public var prevKVs: [EtcdKeyValue]

    public init(header: EtcdResponseHeader, deleted: Int64, prevKVs: [EtcdKeyValue] = []) {
        self.header = header
        self.deleted = deleted
        self.prevKVs = prevKVs
    }

    static func read(_ message: Etcdserverpb__DeleteRangeResponse, at path: () -> String) throws -> EtcdDeleteRangeResponse {
        EtcdDeleteRangeResponse(
            header: try EtcdResponseHeader.read(message.header, at: path), deleted: message.deleted,
            prevKVs: try WireReader.messages(message.prev_kvs, message.n_prev_kvs, at: path, "prev_kvs") { EtcdKeyValue.read($0, at: $1) })
    }

    static var codec: WireCodec<Etcdserverpb__DeleteRangeResponse> {
        WireCodec(
            name: "etcdserverpb.DeleteRangeResponse",
            unpack: { etcdserverpb__delete_range_response__unpack(nil, $0, $1) },
            free: { etcdserverpb__delete_range_response__free_unpacked($0, nil) },
            size: { etcdserverpb__delete_range_response__get_packed_size($0) },
            pack: { etcdserverpb__delete_range_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { self = try Self.codec.decode(bytes, Self.read) }
}
