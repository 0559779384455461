import CStrataProto
import StrataRPC

/// The serving status of the standard `grpc.health.v1` protocol.
public enum ServingStatus: Int32, Sendable, CustomStringConvertible {
    case unknown = 0, serving = 1, notServing = 2, serviceUnknown = 3

    public var description: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .serving: "SERVING"
        case .notServing: "NOT_SERVING"
        case .serviceUnknown: "SERVICE_UNKNOWN"
        }
    }
}

/// `grpc.health.v1.HealthCheckRequest`.
public struct HealthCheckRequest: RPCMessage, Equatable {
    /// The service asked about; "" means the whole server.
    public var service: String

    public init(service: String = "") { self.service = service }

    public init(serializedBytes bytes: [UInt8]) throws {
        service = try WireReader.decode(
            bytes, "grpc.health.v1.HealthCheckRequest",
            unpack: { grpc__health__v1__health_check_request__unpack(nil, $0, $1) },
            free: { grpc__health__v1__health_check_request__free_unpacked($0, nil) }
        ) { try WireReader.string($0.service, field: "service") }
    }

    public func serializedBytes() -> [UInt8] {
        WireArena.encode({ arena in
            var message = Grpc__Health__V1__HealthCheckRequest()
            grpc__health__v1__health_check_request__init(&message)
            message.service = arena.string(service)
            return message
        }, size: { grpc__health__v1__health_check_request__get_packed_size($0) },
           pack: { grpc__health__v1__health_check_request__pack($0, $1) })
    }
}

/// `grpc.health.v1.HealthCheckResponse`.
public struct HealthCheckResponse: RPCMessage, Equatable {
    public var status: ServingStatus

    public init(status: ServingStatus) { self.status = status }

    public init(serializedBytes bytes: [UInt8]) throws {
        status = try WireReader.decode(
            bytes, "grpc.health.v1.HealthCheckResponse",
            unpack: { grpc__health__v1__health_check_response__unpack(nil, $0, $1) },
            free: { grpc__health__v1__health_check_response__free_unpacked($0, nil) }
        ) {
            // A status beyond Int32 (a negative value on the wire) is as unknown as any other.
            ServingStatus(rawValue: Int32(truncatingIfNeeded: $0.status.rawValue)) ?? .unknown
        }
    }

    public func serializedBytes() -> [UInt8] {
        WireArena.encode({ _ in
            var message = Grpc__Health__V1__HealthCheckResponse()
            grpc__health__v1__health_check_response__init(&message)
            message.status = Grpc__Health__V1__HealthCheckResponse__ServingStatus(rawValue: UInt32(status.rawValue))
            return message
        }, size: { grpc__health__v1__health_check_response__get_packed_size($0) },
           pack: { grpc__health__v1__health_check_response__pack($0, $1) })
    }
}
