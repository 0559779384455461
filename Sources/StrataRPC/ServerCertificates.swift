import Synchronization

/// The certificates a TLS `RPCServer` serves, and their reload: the files are read again,
/// compared with what is served, checked, and installed for new connections.
///
/// | files now | checked | result |
/// |---|---|---|
/// | same bytes as served | – | nothing (false) |
/// | changed | valid pair | installed for new connections; `installed` told (true) |
/// | changed | unreadable, or key and chain do not match (a rotation half done) | old ones kept; throws; `refused` told once until the files change again |
final class ServerCertificates: Sendable {
    private enum Outcome {
        case unchanged, installed(TLSMaterial), refused(RPCError, firstTime: Bool), notRunning
    }

    let settings: ServerTLS
    private let served: Mutex<(material: TLSMaterial, refusal: RPCError?)>

    /// Reads and checks the files; a server cannot start without valid certificates.
    init(settings: ServerTLS) throws(RPCError) {
        self.settings = settings
        served = Mutex((try Self.load(settings), nil))
    }

    var material: TLSMaterial { served.withLock { $0.material } }

    /// Reloads through `install`, which hands the material to gRPC and returns false when the
    /// server is no longer running. Serialized: two reloads never interleave.
    func reload(install: (TLSMaterial) -> Bool) throws(RPCError) -> Bool {
        let outcome = served.withLock { served -> Outcome in
            let material: TLSMaterial
            do throws(RPCError) {
                material = try Self.load(settings)
            } catch {
                defer { served.refusal = error }
                return .refused(error, firstTime: served.refusal != error)
            }
            served.refusal = nil
            guard material != served.material else { return .unchanged }
            guard install(material) else { return .notRunning }
            served.material = material
            return .installed(material)
        }
        switch outcome {
        case .unchanged:
            return false
        case .installed(let material):
            settings.onReload?(.installed(commonName: material.commonName))
            return true
        case .refused(let error, let firstTime):
            if firstTime { settings.onReload?(.refused(error)) }
            throw error
        case .notRunning:
            throw RPCError(.failedPrecondition, "the server is not running")
        }
    }

    private static func load(_ settings: ServerTLS) throws(RPCError) -> TLSMaterial {
        try settings.files.load(requireKeyPair: true, requireRoots: settings.clientCertificates != .none)
    }
}
