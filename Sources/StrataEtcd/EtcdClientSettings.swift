import Foundation
import StrataCore
import StrataRPC

/// How to reach etcd: its client endpoints, whether over TLS, and how long one request may take.
public struct EtcdClientSettings: Sendable, Equatable {
    /// Client endpoints as "host:port" (an "http://" prefix is accepted and dropped).
    public var endpoints: [String]
    /// The deadline of each request on one endpoint; past it the next endpoint is tried
    /// (reads) or the outcome is reported unknown (writes).
    public var requestTimeout: Duration
    /// Message size limits of the channels. etcd refuses requests over its own
    /// `--max-request-bytes` (1.5 MiB by default) whatever this says.
    public var limits: MessageLimits
    /// Plain TCP, or TLS with the CA that signed the members' certificates (and, for etcd's
    /// `--client-cert-auth`, the client's certificate and key).
    public var security: ChannelSecurity

    /// Validates the endpoints; an empty list, an empty entry, or an https:// endpoint without
    /// TLS settings is refused naming the entry.
    public init(endpoints: [String], requestTimeout: Duration = .seconds(5),
                limits: MessageLimits = MessageLimits(maxReceiveBytes: 64 << 20, maxSendBytes: 4 << 20),
                security: ChannelSecurity = .insecure) throws(StrataError) {
        guard !endpoints.isEmpty else { throw StrataError.invalidArgument("etcd endpoints: the list is empty") }
        var parsed: [String] = []
        for (index, raw) in endpoints.enumerated() {
            let endpoint = raw.trimmingCharacters(in: .whitespaces)
            if endpoint.hasPrefix("https://"), security == .insecure {
                throw StrataError.invalidArgument("etcd endpoints[\(index)]: \(endpoint) asks for TLS; give the CA that signed etcd's certificates (coordinator.etcd_ca_file)")
            }
            if endpoint.hasPrefix("http://"), security != .insecure {
                throw StrataError.invalidArgument("etcd endpoints[\(index)]: \(endpoint) asks for plain TCP, but TLS to etcd is configured (coordinator.etcd_ca_file); use https:// or host:port")
            }
            let address = endpoint.hasPrefix("https://") ? String(endpoint.dropFirst("https://".count))
                : endpoint.hasPrefix("http://") ? String(endpoint.dropFirst("http://".count)) : endpoint
            let hostPort = address.hasSuffix("/") ? String(address.dropLast()) : address
            guard let colon = hostPort.lastIndex(of: ":"), colon != hostPort.startIndex,
                  let port = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(port) else {
                throw StrataError.invalidArgument("etcd endpoints[\(index)]: \(raw.isEmpty ? "(empty)" : raw) is not host:port")
            }
            parsed.append(hostPort)
        }
        self.endpoints = parsed
        self.requestTimeout = requestTimeout
        self.limits = limits
        self.security = security
    }
}
