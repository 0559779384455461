import CStrataCrypto

/// PEM text of one TLS endpoint: its certificate chain and private key (a server's, or a
/// client's for mutual TLS) and the CA certificates it trusts for the other side.
public struct TLSMaterial: Sendable, Equatable {
    public var certificateChain: String?
    public var privateKey: String?
    public var trustedRoots: String?

    public init(certificateChain: String? = nil, privateKey: String? = nil, trustedRoots: String? = nil) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.trustedRoots = trustedRoots
    }

    /// Checks what gRPC would otherwise find out only at the next handshake (and then, on a
    /// reload, keep serving the old certificates without a word): the chain and the roots are
    /// PEM certificates and the key belongs to the chain's first certificate. `names` says
    /// what to call each part in the error (file paths when the material came from files).
    public func validate(requireKeyPair: Bool, requireRoots: Bool,
                         names: (chain: String, key: String, roots: String) = ("certificate chain", "private key", "CA certificates"))
        throws(RPCError)
    {
        if requireKeyPair, certificateChain == nil || privateKey == nil {
            throw RPCError(.invalidArgument, "TLS needs both a \(names.chain) and a \(names.key)")
        }
        if (certificateChain == nil) != (privateKey == nil) {
            throw RPCError(.invalidArgument, "\(certificateChain == nil ? names.chain : names.key) is missing: a certificate and its key go together")
        }
        if let chain = certificateChain, let key = privateKey {
            try Self.checkCertificates(chain, name: names.chain)
            var error = [CChar](repeating: 0, count: 512)
            if strata_pem_check_key_pair(chain, key, &error, error.count) != 0 {
                throw RPCError(.invalidArgument, "\(names.key) and \(names.chain): \(Self.text(error))")
            }
        }
        if let roots = trustedRoots {
            try Self.checkCertificates(roots, name: names.roots)
        } else if requireRoots {
            throw RPCError(.invalidArgument, "\(names.roots) are needed to verify client certificates")
        }
    }

    /// The subject common name of the chain's first certificate (for logs: which identity a
    /// node serves with).
    public var commonName: String? {
        guard let chain = certificateChain else { return nil }
        var name = [CChar](repeating: 0, count: 1024)
        guard strata_pem_common_name(chain, &name, name.count) > 0 else { return nil }
        return Self.text(name)
    }

    private static func checkCertificates(_ pem: String, name: String) throws(RPCError) {
        var error = [CChar](repeating: 0, count: 512)
        let count = strata_pem_certificate_count(pem, &error, error.count)
        if count < 0 { throw RPCError(.invalidArgument, "\(name): \(text(error))") }
        if count == 0 { throw RPCError(.invalidArgument, "\(name) holds no PEM certificate") }
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
