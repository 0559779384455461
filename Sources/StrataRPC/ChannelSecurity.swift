/// How an `RPCChannel` secures its connection. Plaintext is the default.
public enum ChannelSecurity: Sendable, Equatable {
    case insecure
    case tls(ChannelTLS)
}

/// A TLS client: the CA that must have signed the server's certificate and, for mutual TLS,
/// the client's own certificate and key. A channel reads nothing after it is made; a new
/// channel made from `ChannelTLS(files:)` picks up rotated files.
public struct ChannelTLS: Sendable, Equatable {
    /// `trustedRoots` nil: gRPC's default roots. `certificateChain` + `privateKey`: the client
    /// certificate presented to servers that ask for one.
    public var material: TLSMaterial
    /// The name checked against the server certificate instead of the target's host (a
    /// certificate issued for a name the client does not dial by).
    public var serverNameOverride: String?

    public init(material: TLSMaterial, serverNameOverride: String? = nil) {
        self.material = material
        self.serverNameOverride = serverNameOverride
    }

    /// Reads and checks the files now.
    public init(files: TLSFiles, serverNameOverride: String? = nil) throws(RPCError) {
        self.init(material: try files.load(requireKeyPair: false, requireRoots: false), serverNameOverride: serverNameOverride)
    }
}
