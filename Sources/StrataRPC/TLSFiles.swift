import Foundation

/// Paths of the PEM files of one TLS endpoint (`tls.cert_file`, `tls.key_file`,
/// `tls.ca_file`). Read whole on every load, so a rotated file is picked up as it is.
public struct TLSFiles: Sendable, Equatable {
    public var certificateChain: String?
    public var privateKey: String?
    public var trustedRoots: String?

    public init(certificateChain: String? = nil, privateKey: String? = nil, trustedRoots: String? = nil) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.trustedRoots = trustedRoots
    }

    /// Reads the files and checks them (`TLSMaterial.validate`); errors name the file.
    public func load(requireKeyPair: Bool, requireRoots: Bool) throws(RPCError) -> TLSMaterial {
        let material = TLSMaterial(certificateChain: try Self.read(certificateChain, "certificate file"),
                                   privateKey: try Self.read(privateKey, "private key file"),
                                   trustedRoots: try Self.read(trustedRoots, "CA file"))
        try material.validate(requireKeyPair: requireKeyPair, requireRoots: requireRoots,
                              names: (chain: "certificate file \(certificateChain ?? "(none)")",
                                      key: "private key file \(privateKey ?? "(none)")",
                                      roots: "CA file \(trustedRoots ?? "(none)")"))
        return material
    }

    private static func read(_ path: String?, _ what: String) throws(RPCError) -> String? {
        guard let path else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RPCError(.invalidArgument, "cannot read \(what) \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
