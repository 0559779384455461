/// Who is on the other end of a server call, as the transport authenticated it. Handlers
/// decide with it which node may call what (`StrataAuth.NodeAdmission`).
public struct PeerIdentity: Sendable, Equatable {
    public enum Transport: Sendable, Equatable {
        case insecure
        case tls
        /// A call made in this process (`InProcessChannel`): no transport at all.
        case inProcess
    }

    /// One property of gRPC's auth context.
    public struct Property: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    public var transport: Transport
    /// True when the peer presented a certificate the server verified against its trusted roots.
    public var isAuthenticated: Bool
    /// The certificate's subject CN ("x509_common_name"), when one was presented.
    public var commonName: String?
    /// The certificate's subject alternative names (DNS names, addresses, URIs).
    public var subjectAlternativeNames: [String]
    /// The auth-context property gRPC takes the peer's identity from
    /// ("x509_subject_alternative_name" when the certificate has SANs, else
    /// "x509_common_name"); nil when the peer is not authenticated.
    public var identityPropertyName: String?
    /// The peer's address as gRPC names it ("ipv4:127.0.0.1:50312"); "in-process" for in-process calls.
    public var address: String
    /// Every auth-context property but the PEM certificates (for logs and rules not covered above).
    public var properties: [Property]

    public init(transport: Transport, isAuthenticated: Bool = false, commonName: String? = nil,
                subjectAlternativeNames: [String] = [], identityPropertyName: String? = nil, address: String,
                properties: [Property] = []) {
        self.transport = transport
        self.isAuthenticated = isAuthenticated
        self.commonName = commonName
        self.subjectAlternativeNames = subjectAlternativeNames
        self.identityPropertyName = identityPropertyName
        self.address = address
        self.properties = properties
    }

    /// The CN of a verified client certificate; nil without one. What admission rules use:
    /// an unverified name proves nothing.
    public var verifiedCommonName: String? { isAuthenticated ? commonName : nil }

    /// The values of the identity property (gRPC's peer identity: the SANs, or the CN).
    public var identities: [String] {
        guard let identityPropertyName else { return [] }
        return properties.filter { $0.name == identityPropertyName }.map(\.value)
    }

    /// An in-process caller; `certifiedAs` makes it present a verified certificate with that CN
    /// (how a simulation runs nodes with their cluster identities and no sockets).
    public static func inProcess(certifiedAs commonName: String? = nil) -> PeerIdentity {
        PeerIdentity(transport: .inProcess, isAuthenticated: commonName != nil, commonName: commonName,
                     identityPropertyName: commonName == nil ? nil : "x509_common_name", address: "in-process",
                     properties: commonName.map { [Property(name: "x509_common_name", value: $0)] } ?? [])
    }

    /// Builds the identity from gRPC's auth-context properties.
    init(authenticated: Bool, identityPropertyName: String?, address: String, properties all: [Property]) {
        let securityType = all.first { $0.name == "transport_security_type" }?.value
        self.init(
            transport: securityType == "ssl" || securityType == "tls" ? .tls : .insecure,
            isAuthenticated: authenticated,
            commonName: all.first { $0.name == "x509_common_name" }?.value,
            subjectAlternativeNames: all.filter { $0.name == "x509_subject_alternative_name" }.map(\.value),
            identityPropertyName: identityPropertyName,
            address: address,
            properties: all.filter { !$0.name.hasPrefix("x509_pem_cert") })
    }
}
