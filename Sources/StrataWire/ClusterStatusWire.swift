import CStrataProto
import StrataCore
import StrataRPC

// coordinator.proto: cluster status.

/// `strata.v1.ClusterStatusRequest` (no fields).
public struct ClusterStatusRequest: RPCMessage, Equatable {
    public init() {}

    static var codec: WireCodec<Strata__V1__ClusterStatusRequest> {
        WireCodec(name: "strata.v1.ClusterStatusRequest",
                  unpack: { strata__v1__cluster_status_request__unpack(nil, $0, $1) },
                  free: { strata__v1__cluster_status_request__free_unpacked($0, nil) },
                  size: { strata__v1__cluster_status_request__get_packed_size($0) },
                  pack: { strata__v1__cluster_status_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws { try Self.codec.decode(bytes) { _, _ in () } }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { _ in
            var message = Strata__V1__ClusterStatusRequest()
            strata__v1__cluster_status_request__init(&message)
            return message
        }
    }
}

/// `strata.v1.SlotTransfer`: a slot being copied to a new replica.
public struct SlotTransfer: Sendable, Equatable {
    public var slot: UInt32
    public var sourceNode: String
    public var targetNode: String
    public var bytesCopied: UInt64
    public var bytesTotal: UInt64
    public var recordsCopied: UInt64
    public var startedAtUnix: Int64
    /// Slot records the copy needs in all (the slot's high-water mark minus the start).
    public var recordsTotal: UInt64
    /// "recovery", "catchUp" or "rebalance" ("" when not said).
    public var purpose: String

    public init(slot: UInt32, sourceNode: String, targetNode: String, bytesCopied: UInt64 = 0, bytesTotal: UInt64 = 0,
                recordsCopied: UInt64 = 0, startedAtUnix: Int64 = 0, recordsTotal: UInt64 = 0, purpose: String = "") {
        self.slot = slot
        self.sourceNode = sourceNode
        self.targetNode = targetNode
        self.bytesCopied = bytesCopied
        self.bytesTotal = bytesTotal
        self.recordsCopied = recordsCopied
        self.startedAtUnix = startedAtUnix
        self.recordsTotal = recordsTotal
        self.purpose = purpose
    }

    static func build(_ transfer: SlotTransfer, in arena: WireArena) -> Strata__V1__SlotTransfer {
        var message = Strata__V1__SlotTransfer()
        strata__v1__slot_transfer__init(&message)
        message.slot = transfer.slot
        message.source_node = arena.string(transfer.sourceNode)
        message.target_node = arena.string(transfer.targetNode)
        message.bytes_copied = transfer.bytesCopied
        message.bytes_total = transfer.bytesTotal
        message.records_copied = transfer.recordsCopied
        message.started_at_unix = transfer.startedAtUnix
        message.records_total = transfer.recordsTotal
        message.purpose = arena.string(transfer.purpose)
        return message
    }

    static func read(_ message: Strata__V1__SlotTransfer, at path: () -> String) throws -> SlotTransfer {
        SlotTransfer(slot: message.slot,
                     sourceNode: try WireReader.string(message.source_node, at: WireReader.join(path, "source_node")),
                     targetNode: try WireReader.string(message.target_node, at: WireReader.join(path, "target_node")),
                     bytesCopied: message.bytes_copied, bytesTotal: message.bytes_total,
                     recordsCopied: message.records_copied, startedAtUnix: message.started_at_unix,
                     recordsTotal: message.records_total,
                     purpose: try WireReader.string(message.purpose, at: WireReader.join(path, "purpose")))
    }
}

/// `strata.v1.ClusterStatusResponse`: the cluster as the coordinator sees it.
public struct ClusterStatusResponse: RPCMessage, Equatable {
    public var clusterID: String
    public var slotCount: UInt32
    public var replicationFactor: UInt32
    public var writeQuorum: UInt32
    public var nodes: [NodeStatusReport]
    public var slotsFullyReplicated: UInt32
    public var slotsUnderReplicated: UInt32
    public var slotsUnavailable: UInt32
    public var transfers: [SlotTransfer]
    /// Bumped on every change of the cluster map.
    public var mapVersion: UInt64
    /// Server-side embedding of every namespace with an embedder.
    public var embeddings: [EmbeddingStatus]

    public init(clusterID: String, slotCount: UInt32, replicationFactor: UInt32, writeQuorum: UInt32,
                nodes: [NodeStatusReport] = [], slotsFullyReplicated: UInt32 = 0, slotsUnderReplicated: UInt32 = 0,
                slotsUnavailable: UInt32 = 0, transfers: [SlotTransfer] = [], mapVersion: UInt64 = 0,
                embeddings: [EmbeddingStatus] = []) {
        self.clusterID = clusterID
        self.slotCount = slotCount
        self.replicationFactor = replicationFactor
        self.writeQuorum = writeQuorum
        self.nodes = nodes
        self.slotsFullyReplicated = slotsFullyReplicated
        self.slotsUnderReplicated = slotsUnderReplicated
        self.slotsUnavailable = slotsUnavailable
        self.transfers = transfers
        self.mapVersion = mapVersion
        self.embeddings = embeddings
    }

    static var codec: WireCodec<Strata__V1__ClusterStatusResponse> {
        WireCodec(name: "strata.v1.ClusterStatusResponse",
                  unpack: { strata__v1__cluster_status_response__unpack(nil, $0, $1) },
                  free: { strata__v1__cluster_status_response__free_unpacked($0, nil) },
                  size: { strata__v1__cluster_status_response__get_packed_size($0) },
                  pack: { strata__v1__cluster_status_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            ClusterStatusResponse(
                clusterID: try WireReader.string(message.cluster_id, at: WireReader.join(path, "cluster_id")),
                slotCount: message.slot_count, replicationFactor: message.replication_factor,
                writeQuorum: message.write_quorum,
                nodes: try WireReader.messages(message.nodes, message.n_nodes, at: path, "nodes", NodeStatusMessage.read),
                slotsFullyReplicated: message.slots_fully_replicated,
                slotsUnderReplicated: message.slots_under_replicated,
                slotsUnavailable: message.slots_unavailable,
                transfers: try WireReader.messages(message.transfers, message.n_transfers, at: path, "transfers", SlotTransfer.read),
                mapVersion: message.map_version,
                embeddings: try WireReader.messages(message.embeddings, message.n_embeddings, at: path, "embeddings", EmbeddingStatus.read))
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__ClusterStatusResponse()
            strata__v1__cluster_status_response__init(&message)
            message.cluster_id = arena.string(clusterID)
            message.slot_count = slotCount
            message.replication_factor = replicationFactor
            message.write_quorum = writeQuorum
            message.n_nodes = nodes.count
            message.nodes = arena.messages(nodes.map { NodeStatusMessage.build($0, in: arena) })
            message.slots_fully_replicated = slotsFullyReplicated
            message.slots_under_replicated = slotsUnderReplicated
            message.slots_unavailable = slotsUnavailable
            message.n_transfers = transfers.count
            message.transfers = arena.messages(transfers.map { SlotTransfer.build($0, in: arena) })
            message.map_version = mapVersion
            message.n_embeddings = embeddings.count
            message.embeddings = arena.messages(embeddings.map { EmbeddingStatus.build($0, in: arena) })
            return message
        }
    }
}
