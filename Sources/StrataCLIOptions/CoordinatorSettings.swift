import ArgumentParser
import Foundation
import StrataClient
import StrataRPC

/// The values of `CoordinatorOptions` as a plain struct, so that a caller that does not run
/// ArgumentParser (`strata query`'s fast path) shares the same rules: where the coordinator
/// is, the bearer token, TLS and the deadline (see `CoordinatorOptions`).
public struct CoordinatorSettings: Equatable, Sendable {
    public var coordinator: String?
    public var timeout: Double
    public var token: String?
    public var tokenFile: String?
    public var tls: ClientTLSSettings

    public init(coordinator: String? = nil, timeout: Double = 30, token: String? = nil, tokenFile: String? = nil, tls: ClientTLSSettings = ClientTLSSettings()) {
        self.coordinator = coordinator
        self.timeout = timeout
        self.token = token
        self.tokenFile = tokenFile
        self.tls = tls
    }

    public var address: String {
        coordinator ?? EnvironmentVariable.value("STRATA_COORDINATOR") ?? CoordinatorOptions.defaultAddress
    }

    /// The token to send, or nil; throws when a token file cannot be read or is empty.
    public func bearerToken() throws -> String? {
        if let token = token ?? (tokenFile == nil ? EnvironmentVariable.value("STRATA_TOKEN") : nil), !token.isEmpty { return token }
        guard let path = tokenFile ?? EnvironmentVariable.value("STRATA_TOKEN_FILE") else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(whereSeparator: \.isNewline).first?.trimmingCharacters(in: .whitespaces), !line.isEmpty else {
            throw ValidationError("--token-file \(path) cannot be read or holds no token")
        }
        return line
    }

    /// Options with the token's metadata and the `--timeout` deadline; throws when a token
    /// file cannot be read or is empty (a call without the token the user named is refused).
    public var callOptions: CallOptions { get throws { try callOptions(timeout: .milliseconds(Int(timeout * 1000))) } }

    /// Options with the token's metadata and the given deadline (nil: none).
    public func callOptions(timeout: Duration?) throws -> CallOptions {
        let token = try bearerToken()
        return CallOptions(timeout: timeout, metadata: token.map { [(key: "authorization", value: "Bearer \($0)")] } ?? [])
    }

    /// The message sizes the CLI's channels allow.
    public static let messageLimits = MessageLimits(maxReceiveBytes: 64 << 20, maxSendBytes: 64 << 20)

    /// The coordinators to call, failing over between them; over TLS when `--ca`/`STRATA_CA`
    /// is given.
    public func channel() throws -> FailoverTransport {
        let security = try tls.security()
        return FailoverTransport(addresses: FailoverTransport.addresses(address)) { address in
            RPCChannel(target: address, limits: Self.messageLimits, security: security)
        }
    }

    /// A typed client with the token and timeout.
    public func client() throws -> CoordinatorClient {
        CoordinatorClient(transport: try channel(), token: try bearerToken(), timeout: .milliseconds(Int(timeout * 1000)))
    }
}
