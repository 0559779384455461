import CStrataRPC

extension TransportSecurity {
    /// Calls `body` with the C description of this security setting (valid only inside).
    func withCTLS<R>(_ body: (UnsafePointer<strata_tls>?) -> R) -> R {
        switch self {
        case .insecure:
            return body(nil)
        case .tls(let key, let chain, let roots):
            return withOptionalCString(roots) { roots in
                withOptionalCString(key) { key in
                    withOptionalCString(chain) { chain in
                        var tls = strata_tls(pem_root_certs: roots, pem_private_key: key, pem_cert_chain: chain, enabled: 1)
                        return withUnsafePointer(to: &tls) { body($0) }
                    }
                }
            }
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
