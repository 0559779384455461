/// The `service` and `method` labels of an RPC series, split from the full method path.
public enum RPCMethodLabels {
    /// "/strata.v1.Worker/Search" -> ("strata.v1.Worker", "Search"). A path of another shape
    /// (the server reports unregistered paths as "unknown") gives "unknown" for both, so
    /// label values always come from the methods the node serves.
    public static func split(_ path: String) -> (service: String, method: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return ("unknown", "unknown") }
        return (String(parts[1]), String(parts[2]))
    }
}
