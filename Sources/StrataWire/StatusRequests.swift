import CStrataProto
import StrataRPC

/// `strata.v1.WorkerStatusRequest` (no fields).
public struct WorkerStatusRequest: RPCMessage, Equatable {
    public init() {}

    public init(serializedBytes bytes: [UInt8]) throws {
        try WireReader.decode(
            bytes, "strata.v1.WorkerStatusRequest",
            unpack: { strata__v1__worker_status_request__unpack(nil, $0, $1) },
            free: { strata__v1__worker_status_request__free_unpacked($0, nil) }
        ) { _ in () }
    }

    public func serializedBytes() -> [UInt8] {
        WireArena.encode({ _ in
            var message = Strata__V1__WorkerStatusRequest()
            strata__v1__worker_status_request__init(&message)
            return message
        }, size: { strata__v1__worker_status_request__get_packed_size($0) },
           pack: { strata__v1__worker_status_request__pack($0, $1) })
    }
}

/// `strata.v1.NodeStatusRequest`: which node the coordinator should describe.
public struct NodeStatusRequest: RPCMessage, Equatable {
    /// Empty means the coordinator itself.
    public var nodeID: String

    public init(nodeID: String = "") { self.nodeID = nodeID }

    public init(serializedBytes bytes: [UInt8]) throws {
        nodeID = try WireReader.decode(
            bytes, "strata.v1.NodeStatusRequest",
            unpack: { strata__v1__node_status_request__unpack(nil, $0, $1) },
            free: { strata__v1__node_status_request__free_unpacked($0, nil) }
        ) { try WireReader.string($0.node_id, field: "node_id") }
    }

    public func serializedBytes() -> [UInt8] {
        WireArena.encode({ arena in
            var message = Strata__V1__NodeStatusRequest()
            strata__v1__node_status_request__init(&message)
            message.node_id = arena.string(nodeID)
            return message
        }, size: { strata__v1__node_status_request__get_packed_size($0) },
           pack: { strata__v1__node_status_request__pack($0, $1) })
    }
}
