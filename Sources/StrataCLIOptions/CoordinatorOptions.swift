import ArgumentParser
import Foundation
import StrataClient
import StrataRPC

/// Where the coordinator is: `--coordinator`, else `STRATA_COORDINATOR`, else the address
/// `scripts/cluster-up.sh` and `scripts/demo.sh` use with no flags. Several, comma-separated,
/// when coordinators share etcd: calls go to the one that answers and follow the leader a
/// follower names (`FailoverTransport`). The bearer token every
/// call carries: `--token`, else `--token-file`, else `STRATA_TOKEN`, else `STRATA_TOKEN_FILE`,
/// else none. TLS: `--ca`/`STRATA_CA` and a client certificate (`ClientTLSOptions`).
public struct CoordinatorOptions: ParsableArguments {
    public init() {}

    public static let defaultAddress = "127.0.0.1:7400"

    @Option(help: "host:port of the coordinator, or several comma-separated (default: $STRATA_COORDINATOR or \(CoordinatorOptions.defaultAddress)).")
    public var coordinator: String?

    @Option(help: "Seconds to wait for an answer.") public var timeout: Double = 30

    @Option(help: "Bearer token sent to the coordinator as 'authorization: Bearer TOKEN' (default: $STRATA_TOKEN).")
    public var token: String?

    @Option(help: "File holding the bearer token (first line; default: $STRATA_TOKEN_FILE).")
    public var tokenFile: String?

    @OptionGroup public var tls: ClientTLSOptions

    public var address: String {
        coordinator ?? ProcessInfo.processInfo.environment["STRATA_COORDINATOR"] ?? Self.defaultAddress
    }

    /// The token to send, or nil; throws when a token file cannot be read or is empty.
    public func bearerToken() throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let token = token ?? (tokenFile == nil ? environment["STRATA_TOKEN"] : nil), !token.isEmpty { return token }
        guard let path = tokenFile ?? environment["STRATA_TOKEN_FILE"] else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(whereSeparator: \.isNewline).first?.trimmingCharacters(in: .whitespaces), !line.isEmpty else {
            throw ValidationError("--token-file \(path) cannot be read or holds no token")
        }
        return line
    }

    public var callOptions: CallOptions { callOptions(timeout: .milliseconds(Int(timeout * 1000))) }

    /// Options with the token's metadata and the given deadline (nil: none).
    public func callOptions(timeout: Duration?) -> CallOptions {
        let token = (try? bearerToken()) ?? nil
        return CallOptions(timeout: timeout, metadata: token.map { [(key: "authorization", value: "Bearer \($0)")] } ?? [])
    }

    /// The coordinators to call, failing over between them; over TLS when `--ca`/`STRATA_CA`
    /// is given.
    public func channel() throws -> FailoverTransport {
        let security = try tls.security()
        return FailoverTransport(addresses: FailoverTransport.addresses(address)) { address in
            RPCChannel(target: address, limits: MessageLimits(maxReceiveBytes: 64 << 20, maxSendBytes: 64 << 20), security: security)
        }
    }

    /// A typed client with the token and timeout.
    public func client() throws -> CoordinatorClient {
        CoordinatorClient(transport: try channel(), token: try bearerToken(), timeout: .milliseconds(Int(timeout * 1000)))
    }
}
