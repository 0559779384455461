/// How an `RPCServer` secures its port. Plaintext is the default.
public enum ServerSecurity: Sendable {
    case insecure
    case tls(ServerTLS)
}

/// Which client certificates a TLS server asks for.
public enum ClientCertificates: Int32, Sendable {
    /// Not asked for (server-only TLS).
    case none = 0
    /// Asked for and verified against the trusted roots when presented; clients without one
    /// still connect (the coordinator: workers present certificates, CLI clients do not).
    case optional = 1
    /// Required and verified: a client without one fails the handshake (workers).
    case required = 2
}

/// A TLS server's certificates, from files that are read again when they change.
public struct ServerTLS: Sendable {
    /// Certificate chain and key (required); trusted roots verify client certificates.
    public var files: TLSFiles
    public var clientCertificates: ClientCertificates
    /// How often the files are compared with what is served; nil: only when
    /// `RPCServer.reloadCertificates()` is called (SIGHUP).
    public var reloadCheckInterval: Duration?
    /// Told when new certificates are installed or refused (the server keeps serving the old
    /// ones); each refusal is told once until the files change again.
    public var onReload: (@Sendable (TLSReloadEvent) -> Void)?

    public init(files: TLSFiles, clientCertificates: ClientCertificates = .none, reloadCheckInterval: Duration? = .seconds(10),
                onReload: (@Sendable (TLSReloadEvent) -> Void)? = nil) {
        self.files = files
        self.clientCertificates = clientCertificates
        self.reloadCheckInterval = reloadCheckInterval
        self.onReload = onReload
    }
}

/// What a certificate reload did.
public enum TLSReloadEvent: Sendable, Equatable {
    /// New connections get the new certificates; `commonName` is the new chain's subject CN.
    case installed(commonName: String?)
    /// The files could not be read or do not form a valid pair; the old ones stay in use.
    case refused(RPCError)
}
