import CStrataProto
import StrataCore
import StrataRPC

// membership.proto: registration and heartbeats.

/// `strata.v1.Capacity`: what a worker can hold.
public struct Capacity: Sendable, Equatable {
    public var hotBytes: UInt64
    public var warmBytes: UInt64
    public var coldBytes: UInt64
    public var diskFreeBytes: UInt64
    /// Relative placement weight (0 on the wire means the default, 1).
    public var weight: Double

    public init(hotBytes: UInt64 = 0, warmBytes: UInt64 = 0, coldBytes: UInt64 = 0, diskFreeBytes: UInt64 = 0, weight: Double = 0) {
        self.hotBytes = hotBytes
        self.warmBytes = warmBytes
        self.coldBytes = coldBytes
        self.diskFreeBytes = diskFreeBytes
        self.weight = weight
    }

    static func build(_ capacity: Capacity, in arena: WireArena) -> UnsafeMutablePointer<Strata__V1__Capacity> {
        var message = Strata__V1__Capacity()
        strata__v1__capacity__init(&message)
        message.hot_bytes = capacity.hotBytes
        message.warm_bytes = capacity.warmBytes
        message.cold_bytes = capacity.coldBytes
        message.disk_free_bytes = capacity.diskFreeBytes
        message.weight = capacity.weight
        return arena.message(message)
    }

    static func read(_ message: Strata__V1__Capacity, at path: () -> String) -> Capacity {
        Capacity(hotBytes: message.hot_bytes, warmBytes: message.warm_bytes, coldBytes: message.cold_bytes,
                 diskFreeBytes: message.disk_free_bytes, weight: message.weight)
    }
}

/// `strata.v1.SlotDirective`: what the coordinator wants a worker to do with one slot.
public struct SlotDirective: Sendable, Equatable {
    /// The proto's `Action`; ACTION_UNSPECIFIED is refused when reading (a directive must say what to do).
    public enum Action: UInt32, Sendable, CaseIterable {
        /// Hold and serve the slot.
        case serve = 1
        /// Copy the slot from `sourceAddress`, after `fromSequence` (0: full copy).
        case fetch = 2
        /// Stop serving the slot and delete its data.
        case drop = 3
    }

    public var slot: UInt32
    public var action: Action
    public var sourceAddress: String
    public var fromSequence: UInt64
    /// 0: unlimited.
    public var rateLimitBytesPerSecond: UInt64

    public init(slot: UInt32, action: Action, sourceAddress: String = "", fromSequence: UInt64 = 0, rateLimitBytesPerSecond: UInt64 = 0) {
        self.slot = slot
        self.action = action
        self.sourceAddress = sourceAddress
        self.fromSequence = fromSequence
        self.rateLimitBytesPerSecond = rateLimitBytesPerSecond
    }

    static func build(_ directive: SlotDirective, in arena: WireArena) -> Strata__V1__SlotDirective {
        var message = Strata__V1__SlotDirective()
        strata__v1__slot_directive__init(&message)
        message.slot = directive.slot
        message.action = Strata__V1__SlotDirective__Action(rawValue: directive.action.rawValue)
        message.source_address = arena.string(directive.sourceAddress)
        message.from_sequence = directive.fromSequence
        message.rate_limit_bytes_per_second = directive.rateLimitBytesPerSecond
        return message
    }

    static func read(_ message: Strata__V1__SlotDirective, at path: () -> String) throws -> SlotDirective {
        SlotDirective(
            slot: message.slot,
            action: try WireReader.enumeration(message.action.rawValue, at: WireReader.join(path, "action")),
            sourceAddress: try WireReader.string(message.source_address, at: WireReader.join(path, "source_address")),
            fromSequence: message.from_sequence,
            rateLimitBytesPerSecond: message.rate_limit_bytes_per_second)
    }

    static func buildAll(_ directives: [SlotDirective], in arena: WireArena)
        -> UnsafeMutablePointer<UnsafeMutablePointer<Strata__V1__SlotDirective>?>? {
        arena.messages(directives.map { build($0, in: arena) })
    }
}

/// `strata.v1.RegisterRequest`: a worker announcing itself at start.
public struct RegisterRequest: RPCMessage, Equatable {
    public var nodeID: String
    public var address: String
    public var zone: String
    public var capacity: Capacity
    /// Slots already held (after a restart).
    public var slots: [SlotPosition]
    /// The worker's own count of its starts (informational; the coordinator assigns the
    /// incarnation that heartbeats carry).
    public var incarnation: UInt64

    public init(nodeID: String, address: String, zone: String = "", capacity: Capacity = Capacity(),
                slots: [SlotPosition] = [], incarnation: UInt64) {
        self.nodeID = nodeID
        self.address = address
        self.zone = zone
        self.capacity = capacity
        self.slots = slots
        self.incarnation = incarnation
    }

    static var codec: WireCodec<Strata__V1__RegisterRequest> {
        WireCodec(name: "strata.v1.RegisterRequest",
                  unpack: { strata__v1__register_request__unpack(nil, $0, $1) },
                  free: { strata__v1__register_request__free_unpacked($0, nil) },
                  size: { strata__v1__register_request__get_packed_size($0) },
                  pack: { strata__v1__register_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            RegisterRequest(
                nodeID: try WireReader.string(message.node_id, at: WireReader.join(path, "node_id")),
                address: try WireReader.string(message.address, at: WireReader.join(path, "address")),
                zone: try WireReader.string(message.zone, at: WireReader.join(path, "zone")),
                capacity: try WireReader.message(message.capacity, at: path, "capacity", absent: Capacity(), Capacity.read),
                slots: WireReader.messages(message.slots, message.n_slots, SlotPositionWire.read),
                incarnation: message.incarnation)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__RegisterRequest()
            strata__v1__register_request__init(&message)
            message.node_id = arena.string(nodeID)
            message.address = arena.string(address)
            message.zone = arena.string(zone)
            message.capacity = Capacity.build(capacity, in: arena)
            message.n_slots = slots.count
            message.slots = arena.messages(slots.map { SlotPositionWire.build($0) })
            message.incarnation = incarnation
            return message
        }
    }
}

/// `strata.v1.RegisterResponse`.
public struct RegisterResponse: RPCMessage, Equatable {
    public var clusterID: String
    public var heartbeatIntervalMs: UInt32
    public var mapVersion: UInt64
    public var directives: [SlotDirective]
    /// The incarnation the coordinator assigned: the worker's heartbeats must carry exactly it.
    public var incarnation: UInt64
    /// The cluster's slot count S.
    public var slotCount: UInt32
    /// The answering leadership's epoch (0: not fenced).
    public var coordinatorEpoch: UInt64

    public init(clusterID: String, heartbeatIntervalMs: UInt32, mapVersion: UInt64, directives: [SlotDirective] = [],
                incarnation: UInt64 = 0, slotCount: UInt32 = 0, coordinatorEpoch: UInt64 = 0) {
        self.coordinatorEpoch = coordinatorEpoch
        self.clusterID = clusterID
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.mapVersion = mapVersion
        self.directives = directives
        self.incarnation = incarnation
        self.slotCount = slotCount
    }

    static var codec: WireCodec<Strata__V1__RegisterResponse> {
        WireCodec(name: "strata.v1.RegisterResponse",
                  unpack: { strata__v1__register_response__unpack(nil, $0, $1) },
                  free: { strata__v1__register_response__free_unpacked($0, nil) },
                  size: { strata__v1__register_response__get_packed_size($0) },
                  pack: { strata__v1__register_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            RegisterResponse(
                clusterID: try WireReader.string(message.cluster_id, at: WireReader.join(path, "cluster_id")),
                heartbeatIntervalMs: message.heartbeat_interval_ms, mapVersion: message.map_version,
                directives: try WireReader.messages(message.directives, message.n_directives, at: path, "directives", SlotDirective.read),
                incarnation: message.incarnation, slotCount: message.slot_count, coordinatorEpoch: message.coordinator_epoch)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__RegisterResponse()
            strata__v1__register_response__init(&message)
            message.cluster_id = arena.string(clusterID)
            message.heartbeat_interval_ms = heartbeatIntervalMs
            message.map_version = mapVersion
            message.n_directives = directives.count
            message.directives = SlotDirective.buildAll(directives, in: arena)
            message.incarnation = incarnation
            message.slot_count = slotCount
            message.coordinator_epoch = coordinatorEpoch
            return message
        }
    }
}

/// `strata.v1.HeartbeatRequest`.
public struct HeartbeatRequest: RPCMessage, Equatable {
    public var nodeID: String
    public var incarnation: UInt64
    public var slots: [SlotPosition]
    public var tiers: [TierStats]
    public var walBytes: UInt64
    public var segmentBytes: UInt64
    /// Slot copies running on the worker now.
    public var copies: [SlotCopyProgress]

    public init(nodeID: String, incarnation: UInt64, slots: [SlotPosition] = [], tiers: [TierStats] = [],
                walBytes: UInt64 = 0, segmentBytes: UInt64 = 0, copies: [SlotCopyProgress] = []) {
        self.nodeID = nodeID
        self.incarnation = incarnation
        self.slots = slots
        self.tiers = tiers
        self.walBytes = walBytes
        self.segmentBytes = segmentBytes
        self.copies = copies
    }

    static var codec: WireCodec<Strata__V1__HeartbeatRequest> {
        WireCodec(name: "strata.v1.HeartbeatRequest",
                  unpack: { strata__v1__heartbeat_request__unpack(nil, $0, $1) },
                  free: { strata__v1__heartbeat_request__free_unpacked($0, nil) },
                  size: { strata__v1__heartbeat_request__get_packed_size($0) },
                  pack: { strata__v1__heartbeat_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            HeartbeatRequest(
                nodeID: try WireReader.string(message.node_id, at: WireReader.join(path, "node_id")),
                incarnation: message.incarnation,
                slots: WireReader.messages(message.slots, message.n_slots, SlotPositionWire.read),
                tiers: try WireReader.messages(message.tiers, message.n_tiers, at: path, "tiers", TierStatusWire.read),
                walBytes: message.wal_bytes, segmentBytes: message.segment_bytes,
                copies: WireReader.messages(message.copies, message.n_copies, SlotCopyProgress.read))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__HeartbeatRequest()
            strata__v1__heartbeat_request__init(&message)
            message.node_id = arena.string(nodeID)
            message.incarnation = incarnation
            message.n_slots = slots.count
            message.slots = arena.messages(slots.map { SlotPositionWire.build($0) })
            message.n_tiers = tiers.count
            message.tiers = arena.messages(tiers.map { TierStatusWire.build($0, in: arena) })
            message.wal_bytes = walBytes
            message.segment_bytes = segmentBytes
            message.n_copies = copies.count
            message.copies = arena.messages(copies.map { SlotCopyProgress.build($0) })
            return message
        }
    }
}

/// `strata.v1.HeartbeatResponse`.
public struct HeartbeatResponse: RPCMessage, Equatable {
    public var mapVersion: UInt64
    public var directives: [SlotDirective]
    /// The coordinator does not know this node: register again.
    public var reregister: Bool
    /// The answering leadership's epoch (0: not fenced).
    public var coordinatorEpoch: UInt64

    public init(mapVersion: UInt64, directives: [SlotDirective] = [], reregister: Bool = false, coordinatorEpoch: UInt64 = 0) {
        self.coordinatorEpoch = coordinatorEpoch
        self.mapVersion = mapVersion
        self.directives = directives
        self.reregister = reregister
    }

    static var codec: WireCodec<Strata__V1__HeartbeatResponse> {
        WireCodec(name: "strata.v1.HeartbeatResponse",
                  unpack: { strata__v1__heartbeat_response__unpack(nil, $0, $1) },
                  free: { strata__v1__heartbeat_response__free_unpacked($0, nil) },
                  size: { strata__v1__heartbeat_response__get_packed_size($0) },
                  pack: { strata__v1__heartbeat_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            HeartbeatResponse(
                mapVersion: message.map_version,
                directives: try WireReader.messages(message.directives, message.n_directives, at: path, "directives", SlotDirective.read),
                reregister: WireReader.flag(message.reregister), coordinatorEpoch: message.coordinator_epoch)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__HeartbeatResponse()
            strata__v1__heartbeat_response__init(&message)
            message.map_version = mapVersion
            message.n_directives = directives.count
            message.directives = SlotDirective.buildAll(directives, in: arena)
            message.reregister = arena.flag(reregister)
            message.coordinator_epoch = coordinatorEpoch
            return message
        }
    }
}

/// `strata.v1.SlotCopyProgress`: how far one slot copy into a worker has come.
public struct SlotCopyProgress: Sendable, Equatable {
    public var slot: UInt32
    /// Bytes of slot records received so far (their serialized size).
    public var bytesCopied: UInt64
    /// Bytes the copy moves in all, as the source announced; 0 while not known.
    public var bytesTotal: UInt64

    public init(slot: UInt32, bytesCopied: UInt64 = 0, bytesTotal: UInt64 = 0) {
        self.slot = slot
        self.bytesCopied = bytesCopied
        self.bytesTotal = bytesTotal
    }

    static func build(_ progress: SlotCopyProgress) -> Strata__V1__SlotCopyProgress {
        var message = Strata__V1__SlotCopyProgress()
        strata__v1__slot_copy_progress__init(&message)
        message.slot = progress.slot
        message.bytes_copied = progress.bytesCopied
        message.bytes_total = progress.bytesTotal
        return message
    }

    static func read(_ message: Strata__V1__SlotCopyProgress) -> SlotCopyProgress {
        SlotCopyProgress(slot: message.slot, bytesCopied: message.bytes_copied, bytesTotal: message.bytes_total)
    }
}
