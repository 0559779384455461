import ArgumentParser
import Foundation
import StrataRPC

/// TLS of the CLI's connections (docs/security.md): `--ca` (or `STRATA_CA`) is the CA that
/// signed the node's certificate and turns TLS on; `--cert`/`--key` (or `STRATA_CERT`,
/// `STRATA_KEY`) present a client certificate, for nodes that require one (a worker's own
/// RPCs). Without `--ca` the connection is plaintext, as for a cluster started without TLS.
public struct ClientTLSOptions: ParsableArguments {
    public init() {}

    @Option(help: "CA certificate (PEM) that signed the node's certificate; turns TLS on (default: $STRATA_CA).")
    public var ca: String?

    @Option(help: "Client certificate (PEM) for nodes that require one (default: $STRATA_CERT).")
    public var cert: String?

    @Option(help: "Private key (PEM) of --cert (default: $STRATA_KEY).")
    public var key: String?

    /// The values as a plain struct.
    public var settings: ClientTLSSettings { ClientTLSSettings(ca: ca, cert: cert, key: key) }

    /// Plaintext without a CA; TLS verifying the node against the CA otherwise.
    public func security() throws -> ChannelSecurity { try settings.security() }
}
