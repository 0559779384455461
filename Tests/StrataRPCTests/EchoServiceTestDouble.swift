import Foundation
import StrataCore
import StrataRPC
import StrataWire

/// Bytes carried as-is: lets tests send anything, including malformed protobuf.
struct RawBytesTestDouble: RPCMessage, Equatable {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(serializedBytes: [UInt8]) throws { bytes = serializedBytes }
    func serializedBytes() -> [UInt8] { bytes }
}

/// A small service over real protobuf messages (health request/response reused as carriers)
/// that exercises every call shape of the RPC layer.
enum EchoServiceTestDouble {
    static let name = "strata.test.Echo"

    static func path(_ method: String) -> String { "/\(name)/\(method)" }

    /// Records what the handlers observed, for assertions.
    final class Observations: @unchecked Sendable {
        private let lock = NSLock()
        private var _cancelledStreams = 0
        private var _lastMetadata: String?
        private var _sleepsStarted = 0
        var sleepsStarted: Int { lock.withLock { _sleepsStarted } }
        func sleepStarted() { lock.withLock { _sleepsStarted += 1 } }
        var cancelledStreams: Int { lock.withLock { _cancelledStreams } }
        var lastMetadata: String? { lock.withLock { _lastMetadata } }
        func streamCancelled() { lock.withLock { _cancelledStreams += 1 } }
        func saw(metadata: String?) { lock.withLock { _lastMetadata = metadata } }
    }

    static func definition(_ observations: Observations) -> ServiceDefinition {
        var service = ServiceDefinition(name: name)
        // Echo: answers with the request's service field.
        service.unary("Echo", HealthCheckRequest.self, HealthCheckRequest.self) { request, context in
            observations.saw(metadata: context.metadataValue("x-strata-test"))
            return request
        }
        // Whoami: answers with what the handler knows about its caller, as "key=value" lines.
        service.unary("Whoami", HealthCheckRequest.self, HealthCheckRequest.self) { _, context in
            let peer = context.peer
            let lines = [
                "transport=\(peer.transport)", "authenticated=\(peer.isAuthenticated)", "cn=\(peer.commonName ?? "")",
                "verified_cn=\(peer.verifiedCommonName ?? "")", "sans=\(peer.subjectAlternativeNames.joined(separator: ","))",
                "address=\(peer.address)", "identity_property=\(peer.identityPropertyName ?? "")",
                "identities=\(peer.identities.joined(separator: ","))", "authorization=\(context.metadataValue("authorization") ?? "")",
            ]
            return HealthCheckRequest(service: lines.joined(separator: "\n"))
        }
        // Sleep: waits the number of milliseconds named in the request, then answers.
        service.unary("Sleep", HealthCheckRequest.self, HealthCheckRequest.self) { request, _ in
            observations.sleepStarted()
            try await Task.sleep(for: .milliseconds(Int(request.service) ?? 0))
            return request
        }
        // Fail: throws a StrataError with the code named in the request.
        service.unary("Fail", HealthCheckRequest.self, HealthCheckRequest.self) { request, _ in
            switch request.service {
            case "not-found": throw StrataError.notFound("namespace docs does not exist")
            case "exhausted": throw StrataError.resourceExhausted("disk full")
            default: throw StrataError.invalidArgument("field x is bad")
            }
        }
        // Count: streams "0", "1", … up to the number in the request.
        service.serverStreaming("Count", HealthCheckRequest.self, HealthCheckRequest.self) { request, writer, _ in
            for index in 0..<(Int(request.service) ?? 0) {
                try await writer.send(HealthCheckRequest(service: "\(index)"))
            }
        }
        // Blocks: "count:bytes" streams `count` messages of `bytes` bytes each, message i
        // filled with the byte i % 251, as fast as the handler can queue them.
        service.serverStreaming("Blocks", HealthCheckRequest.self, RawBytesTestDouble.self) { request, writer, _ in
            let parts = request.service.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2 else { throw StrataError.invalidArgument("Blocks takes count:bytes") }
            for index in 0..<parts[0] {
                try await writer.send(RawBytesTestDouble([UInt8](repeating: UInt8(index % 251), count: parts[1])))
            }
        }
        // Forever: streams until the client goes away.
        service.serverStreaming("Forever", HealthCheckRequest.self, HealthCheckRequest.self) { _, writer, context in
            var index = 0
            do {
                while !context.isCancelled {
                    try await writer.send(HealthCheckRequest(service: "\(index)"))
                    index += 1
                    try await Task.sleep(for: .milliseconds(5))
                }
                throw RPCError(.cancelled, "client left")
            } catch {
                observations.streamCancelled()
                throw error
            }
        }
        // Join: concatenates the service fields of a client stream.
        service.clientStreaming("Join", HealthCheckRequest.self, HealthCheckRequest.self) { requests, _ in
            var joined = ""
            for try await request in requests { joined += request.service }
            return HealthCheckRequest(service: joined)
        }
        // Chat: answers every request at once with its service field; "fail" ends the call
        // with INVALID_ARGUMENT; when the client half-closes, a last "end" and OK.
        service.bidirectionalStreaming("Chat", HealthCheckRequest.self, HealthCheckRequest.self) { requests, writer, context in
            do {
                for try await request in requests {
                    if request.service == "fail" { throw StrataError.invalidArgument("field chat is bad") }
                    try await writer.send(request)
                }
                guard !context.isCancelled else { throw RPCError(.cancelled, "client left") }
                try await writer.send(HealthCheckRequest(service: "end"))
            } catch let error as StrataError {
                throw error
            } catch {
                observations.streamCancelled()
                throw error
            }
        }
        return service
    }
}
