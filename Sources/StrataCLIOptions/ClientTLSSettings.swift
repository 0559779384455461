import ArgumentParser
import StrataRPC

/// The values of `ClientTLSOptions` as a plain struct, so that a caller that does not run
/// ArgumentParser (`strata query`'s fast path) shares the same rules: plaintext without a CA
/// (`--ca`, else `STRATA_CA`), TLS verifying the node against the CA otherwise, with the client
/// certificate of `--cert`/`--key` (else `STRATA_CERT`/`STRATA_KEY`) when given.
public struct ClientTLSSettings: Equatable, Sendable {
    public var ca: String?
    public var cert: String?
    public var key: String?

    public init(ca: String? = nil, cert: String? = nil, key: String? = nil) {
        self.ca = ca
        self.cert = cert
        self.key = key
    }

    /// Plaintext without a CA; TLS verifying the node against the CA otherwise.
    public func security() throws -> ChannelSecurity {
        guard let ca = ca ?? EnvironmentVariable.value("STRATA_CA"), !ca.isEmpty else {
            if cert != nil || key != nil { throw ValidationError("--cert and --key need --ca (the CA that signed the node's certificate)") }
            return .insecure
        }
        let files = TLSFiles(certificateChain: cert ?? EnvironmentVariable.value("STRATA_CERT"), privateKey: key ?? EnvironmentVariable.value("STRATA_KEY"), trustedRoots: ca)
        do {
            return .tls(try ChannelTLS(files: files))
        } catch {
            throw ValidationError(error.message)
        }
    }
}
