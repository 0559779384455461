import CStrataProto
import StrataCore
import StrataRPC

// coordinator.proto: directory syncs (RecordSync) and one namespace's status.

/// `strata.v1.SyncState`: where a directory sync stands.
public enum SyncState: UInt32, Sendable, CaseIterable, Codable {
    /// Not set; refused in a RecordSync request.
    case unspecified = 0
    case running = 1
    case finished = 2
    case failed = 3
    /// Set by the coordinator when a running sync stopped reporting.
    case abandoned = 4

    var wire: Strata__V1__SyncState { Strata__V1__SyncState(rawValue: rawValue) }
}

/// `strata.v1.SyncRecord`: a directory sync's plan and progress.
public struct SyncRecord: Sendable, Equatable, Codable {
    public var syncID: String
    public var namespace: String
    public var source: String
    public var state: SyncState
    public var startedAtUnixMs: Int64 = 0
    public var updatedAtUnixMs: Int64 = 0
    public var finishedAtUnixMs: Int64 = 0
    public var files: UInt64 = 0
    public var skipped: UInt64 = 0
    public var toAdd: UInt64 = 0
    public var toChange: UInt64 = 0
    public var toDelete: UInt64 = 0
    public var unchanged: UInt64 = 0
    public var sent: UInt64 = 0
    public var deleted: UInt64 = 0
    public var bytesTotal: UInt64 = 0
    public var bytesSent: UInt64 = 0
    public var error: String = ""

    public init(syncID: String, namespace: String, source: String = "", state: SyncState) {
        self.syncID = syncID
        self.namespace = namespace
        self.source = source
        self.state = state
    }

    /// Whether the sync has ended (finished, failed or abandoned).
    public var hasEnded: Bool { state != .running && state != .unspecified }

    static func build(_ record: SyncRecord, in arena: WireArena) -> Strata__V1__SyncRecord {
        var message = Strata__V1__SyncRecord()
        strata__v1__sync_record__init(&message)
        message.sync_id = arena.string(record.syncID)
        message.namespace_ = arena.string(record.namespace)
        message.source = arena.string(record.source)
        message.state = record.state.wire
        message.started_at_unix_ms = record.startedAtUnixMs
        message.updated_at_unix_ms = record.updatedAtUnixMs
        message.finished_at_unix_ms = record.finishedAtUnixMs
        message.files = record.files
        message.skipped = record.skipped
        message.to_add = record.toAdd
        message.to_change = record.toChange
        message.to_delete = record.toDelete
        message.unchanged = record.unchanged
        message.sent = record.sent
        message.deleted = record.deleted
        message.bytes_total = record.bytesTotal
        message.bytes_sent = record.bytesSent
        message.error = arena.string(record.error)
        return message
    }

    static func read(_ message: Strata__V1__SyncRecord, at path: () -> String) throws -> SyncRecord {
        var record = SyncRecord(
            syncID: try WireReader.string(message.sync_id, at: WireReader.join(path, "sync_id")),
            namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
            source: try WireReader.string(message.source, at: WireReader.join(path, "source")),
            state: try WireReader.enumeration(message.state.rawValue, at: WireReader.join(path, "state")))
        record.startedAtUnixMs = message.started_at_unix_ms
        record.updatedAtUnixMs = message.updated_at_unix_ms
        record.finishedAtUnixMs = message.finished_at_unix_ms
        record.files = message.files
        record.skipped = message.skipped
        record.toAdd = message.to_add
        record.toChange = message.to_change
        record.toDelete = message.to_delete
        record.unchanged = message.unchanged
        record.sent = message.sent
        record.deleted = message.deleted
        record.bytesTotal = message.bytes_total
        record.bytesSent = message.bytes_sent
        record.error = try WireReader.string(message.error, at: WireReader.join(path, "error"))
        return record
    }
}

extension SyncRecord: RPCMessage {
    static var codec: WireCodec<Strata__V1__SyncRecord> {
        WireCodec(name: "strata.v1.SyncRecord",
                  unpack: { strata__v1__sync_record__unpack(nil, $0, $1) },
                  free: { strata__v1__sync_record__free_unpacked($0, nil) },
                  size: { strata__v1__sync_record__get_packed_size($0) },
                  pack: { strata__v1__sync_record__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { self = try Self.codec.decode(bytes, Self.read) }

    public func serializedBytes() -> [UInt8] { Self.codec.encode { Self.build(self, in: $0) } }
}

/// `strata.v1.RecordSyncRequest`.
public struct RecordSyncRequest: RPCMessage, Equatable {
    public var sync: SyncRecord

    public init(sync: SyncRecord) { self.sync = sync }

    static var codec: WireCodec<Strata__V1__RecordSyncRequest> {
        WireCodec(name: "strata.v1.RecordSyncRequest",
                  unpack: { strata__v1__record_sync_request__unpack(nil, $0, $1) },
                  free: { strata__v1__record_sync_request__free_unpacked($0, nil) },
                  size: { strata__v1__record_sync_request__get_packed_size($0) },
                  pack: { strata__v1__record_sync_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        sync = try Self.codec.decode(bytes) { message, path in
            try WireReader.required(message.sync, at: path, "sync", SyncRecord.read)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__RecordSyncRequest()
            strata__v1__record_sync_request__init(&message)
            message.sync = arena.message(SyncRecord.build(sync, in: arena))
            return message
        }
    }
}

/// `strata.v1.NamespaceStatusRequest`.
public struct NamespaceStatusRequest: RPCMessage, Equatable {
    public var namespace: String

    public init(namespace: String) { self.namespace = namespace }

    static var codec: WireCodec<Strata__V1__NamespaceStatusRequest> {
        WireCodec(name: "strata.v1.NamespaceStatusRequest",
                  unpack: { strata__v1__namespace_status_request__unpack(nil, $0, $1) },
                  free: { strata__v1__namespace_status_request__free_unpacked($0, nil) },
                  size: { strata__v1__namespace_status_request__get_packed_size($0) },
                  pack: { strata__v1__namespace_status_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        namespace = try Self.codec.decode(bytes) { message, path in
            try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace"))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__NamespaceStatusRequest()
            strata__v1__namespace_status_request__init(&message)
            message.namespace_ = arena.string(namespace)
            return message
        }
    }
}

/// `strata.v1.NamespaceStatus`: one namespace in full.
public struct NamespaceStatus: RPCMessage, Equatable {
    public var info: NamespaceInfo
    /// Documents whose last ingest was interrupted (stored content unknown).
    public var unsettledDocuments: UInt64
    /// The last sync that ended; nil when none has.
    public var lastSync: SyncRecord?
    /// A running or abandoned sync; nil when none.
    public var runningSync: SyncRecord?

    public init(info: NamespaceInfo, unsettledDocuments: UInt64 = 0, lastSync: SyncRecord? = nil, runningSync: SyncRecord? = nil) {
        self.info = info
        self.unsettledDocuments = unsettledDocuments
        self.lastSync = lastSync
        self.runningSync = runningSync
    }

    static var codec: WireCodec<Strata__V1__NamespaceStatus> {
        WireCodec(name: "strata.v1.NamespaceStatus",
                  unpack: { strata__v1__namespace_status__unpack(nil, $0, $1) },
                  free: { strata__v1__namespace_status__free_unpacked($0, nil) },
                  size: { strata__v1__namespace_status__get_packed_size($0) },
                  pack: { strata__v1__namespace_status__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            NamespaceStatus(
                info: try WireReader.required(message.info, at: path, "info", NamespaceInfo.read),
                unsettledDocuments: message.unsettled_documents,
                lastSync: try WireReader.message(message.last_sync, at: path, "last_sync", absent: nil) { try SyncRecord.read($0, at: $1) },
                runningSync: try WireReader.message(message.running_sync, at: path, "running_sync", absent: nil) { try SyncRecord.read($0, at: $1) })
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__NamespaceStatus()
            strata__v1__namespace_status__init(&message)
            message.info = arena.message(NamespaceInfo.build(info, in: arena))
            message.unsettled_documents = unsettledDocuments
            message.last_sync = lastSync.map { arena.message(SyncRecord.build($0, in: arena)) }
            message.running_sync = runningSync.map { arena.message(SyncRecord.build($0, in: arena)) }
            return message
        }
    }
}
