/// Told about every call a server finishes: the method, the status it ended with and how long
/// it took from acceptance to its final status. Called just before that status is sent, so a
/// client that has its answer finds the call already counted.
///
/// Set by the node that owns the server (which turns it into metrics), so this module needs
/// no metrics library. `method` is the registered full path, or `RPCCallObserver.unknownMethod`
/// for paths no service registered: a client can send any path, and echoing each one back as a
/// label would let it grow the metrics without bound. Runs on the handler's task; keep it short.
public typealias RPCCallObserver = @Sendable (_ method: String, _ code: StatusCode, _ duration: Duration) -> Void

/// The method name reported for paths no service registered.
public enum RPCCallLabels {
    public static let unknownMethod = "unknown"
}
