import CStrataProto
import StrataRPC
import StrataWire

/// `etcdserverpb.WatchCreateRequest`: start watching a key or range on a Watch stream.
public struct EtcdWatchCreateRequest: Sendable, Equatable {
    public var key: [UInt8]
    public var rangeEnd: [UInt8]
    /// Deliver events from this revision on, inclusive (0: from now).
    public var startRevision: Int64
    /// Ask etcd for empty progress answers while nothing changes (their header revision says
    /// how far the watch has seen).
    public var progressNotify: Bool
    public var prevKV: Bool
    /// The ID wanted for the watch on this stream (0: etcd picks one).
    public var watchID: Int64

    public init(key: [UInt8], rangeEnd: [UInt8] = [], startRevision: Int64 = 0, progressNotify: Bool = false,
                prevKV: Bool = false, watchID: Int64 = 0) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.startRevision = startRevision
        self.progressNotify = progressNotify
        self.prevKV = prevKV
        self.watchID = watchID
    }

    /// Every key starting with `prefix`.
    public static func prefix(_ prefix: [UInt8], startRevision: Int64 = 0, progressNotify: Bool = false) -> EtcdWatchCreateRequest {
        EtcdWatchCreateRequest(key: prefix, rangeEnd: EtcdKeyRange.prefixEnd(prefix), startRevision: startRevision, progressNotify: progressNotify)
    }
}

/// `etcdserverpb.WatchRequest`: what a client sends on a Watch stream.
public enum EtcdWatchRequest: Sendable, Equatable {
    case create(EtcdWatchCreateRequest)
    case cancel(watchID: Int64)
    /// Asks for a progress answer now.
    case progress

    public func serializedBytes() -> [UInt8] {
        WireArena.encode({ arena in
            var message = Etcdserverpb__WatchRequest()
            etcdserverpb__watch_request__init(&message)
            switch self {
            case .create(let create):
                var inner = Etcdserverpb__WatchCreateRequest()
                etcdserverpb__watch_create_request__init(&inner)
                inner.key = arena.bytes(create.key)
                inner.range_end = arena.bytes(create.rangeEnd)
                inner.start_revision = create.startRevision
                inner.progress_notify = arena.flag(create.progressNotify)
                inner.prev_kv = arena.flag(create.prevKV)
                inner.watch_id = create.watchID
                message.request_union_case = ETCDSERVERPB__WATCH_REQUEST__REQUEST_UNION_CREATE_REQUEST
                message.create_request = arena.message(inner)
            case .cancel(let watchID):
                var inner = Etcdserverpb__WatchCancelRequest()
                etcdserverpb__watch_cancel_request__init(&inner)
                inner.watch_id = watchID
                message.request_union_case = ETCDSERVERPB__WATCH_REQUEST__REQUEST_UNION_CANCEL_REQUEST
                message.cancel_request = arena.message(inner)
            case .progress:
                var inner = Etcdserverpb__WatchProgressRequest()
                etcdserverpb__watch_progress_request__init(&inner)
                message.request_union_case = ETCDSERVERPB__WATCH_REQUEST__REQUEST_UNION_PROGRESS_REQUEST
                message.progress_request = arena.message(inner)
            }
            return message
        }, size: { etcdserverpb__watch_request__get_packed_size($0) },
           pack: { etcdserverpb__watch_request__pack($0, $1) })
    }
}

/// `mvccpb.Event`: one change seen by a watch.
public struct EtcdEvent: Sendable, Equatable {
    public enum Kind: UInt32, Sendable { case put = 0, delete = 1 }

    public var kind: Kind
    /// After a put: the new key-value. After a delete: the key, with `modRevision` the
    /// revision of the deletion.
    public var kv: EtcdKeyValue
    public var prevKV: EtcdKeyValue?

    public init(kind: Kind, kv: EtcdKeyValue, prevKV: EtcdKeyValue? = nil) {
        self.kind = kind
        self.kv = kv
        self.prevKV = prevKV
    }

    static func read(_ message: Mvccpb__Event, at path: () -> String) throws -> EtcdEvent {
        EtcdEvent(
            kind: try WireReader.enumeration(message.type.rawValue, at: WireReader.join(path, "type")),
            kv: try WireReader.required(message.kv, at: path, "kv") { EtcdKeyValue.read($0, at: $1) },
            prevKV: try WireReader.message(message.prev_kv, at: path, "prev_kv", absent: nil) { EtcdKeyValue.read($0, at: $1) })
    }
}

/// `etcdserverpb.WatchResponse`: what etcd sends on a Watch stream: the creation or
/// cancellation of a watch, events in revision order, or progress.
public struct EtcdWatchResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var watchID: Int64
    public var created: Bool
    public var canceled: Bool
    /// Set when the start revision was compacted away: the watch is cancelled, and the
    /// watcher must read the current state again and watch from there.
    public var compactRevision: Int64
    public var cancelReason: String
    /// This answer is one part of a revision too large for one message.
    public var fragment: Bool
    public var events: [EtcdEvent]

    public init(header: EtcdResponseHeader, watchID: Int64, created: Bool = false, canceled: Bool = false, compactRevision: Int64 = 0,
                cancelReason: String = "", fragment: Bool = false, events: [EtcdEvent] = []) {
        self.header = header
        self.watchID = watchID
        self.created = created
        self.canceled = canceled
        self.compactRevision = compactRevision
        self.cancelReason = cancelReason
        self.fragment = fragment
        self.events = events
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try WireReader.decode(
            bytes, "etcdserverpb.WatchResponse",
            unpack: { etcdserverpb__watch_response__unpack(nil, $0, $1) },
            free: { etcdserverpb__watch_response__free_unpacked($0, nil) }
        ) { message in
            let root: () -> String = { "" }
            return EtcdWatchResponse(
                header: try EtcdResponseHeader.read(message.header, at: root), watchID: message.watch_id,
                created: WireReader.flag(message.created), canceled: WireReader.flag(message.canceled),
                compactRevision: message.compact_revision, cancelReason: try WireReader.string(message.cancel_reason, field: "cancel_reason"),
                fragment: WireReader.flag(message.fragment),
                events: try WireReader.messages(message.events, message.n_events, at: root, "events", EtcdEvent.read))
        }
    }
}
