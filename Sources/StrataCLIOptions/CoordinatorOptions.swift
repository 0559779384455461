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

    /// The values as a plain struct (which holds the rules below).
    public var settings: CoordinatorSettings {
        CoordinatorSettings(coordinator: coordinator, timeout: timeout, token: token, tokenFile: tokenFile, tls: tls.settings)
    }

    public var address: String { settings.address }

    /// The token to send, or nil; throws when a token file cannot be read or is empty.
    public func bearerToken() throws -> String? { try settings.bearerToken() }

    public var callOptions: CallOptions { get throws { try settings.callOptions } }

    /// Options with the token's metadata and the given deadline (nil: none).
    public func callOptions(timeout: Duration?) throws -> CallOptions { try settings.callOptions(timeout: timeout) }

    /// The coordinators to call, failing over between them; over TLS when `--ca`/`STRATA_CA`
    /// is given.
    public func channel() throws -> FailoverTransport { try settings.channel() }

    /// A typed client with the token and timeout.
    public func client() throws -> CoordinatorClient { try settings.client() }
}
