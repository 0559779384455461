import CStrataRPC

extension TLSMaterial {
    /// Calls `body` with the C description of this material (valid only inside).
    func withCTLS<R>(clientCertificates: ClientCertificates = .none, serverNameOverride: String? = nil,
                     _ body: (UnsafePointer<strata_tls>) -> R) -> R {
        withOptionalCString(trustedRoots) { roots in
            withOptionalCString(privateKey) { key in
                withOptionalCString(certificateChain) { chain in
                    withOptionalCString(serverNameOverride) { name in
                        var tls = strata_tls(pem_root_certs: roots, pem_private_key: key, pem_cert_chain: chain,
                                             target_name_override: name, client_certificates: clientCertificates.rawValue, enabled: 1)
                        return withUnsafePointer(to: &tls) { body($0) }
                    }
                }
            }
        }
    }
}

extension ChannelSecurity {
    /// Calls `body` with the C description of this setting (nil: insecure).
    func withCTLS<R>(_ body: (UnsafePointer<strata_tls>?) -> R) -> R {
        switch self {
        case .insecure: body(nil)
        case .tls(let tls): tls.material.withCTLS(serverNameOverride: tls.serverNameOverride) { body($0) }
        }
    }
}

extension MessageLimits {
    var cLimits: strata_limits {
        strata_limits(max_receive_bytes: Int32(clamping: maxReceiveBytes), max_send_bytes: Int32(clamping: maxSendBytes))
    }
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
