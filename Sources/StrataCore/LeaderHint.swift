/// How a coordinator that does not lead names the one that does when it refuses a write:
/// the `strata-leader` trailer (gRPC trailing metadata) of its UNAVAILABLE status, so that
/// clients and workers retry there by status code and metadata, never by the message's text.
/// An empty value: this coordinator answered, but no leader is known (an election is under way
/// or etcd is unreachable).
public enum LeaderHint {
    public static let metadataKey = "strata-leader"

    /// The trailer a refusal carries; `address` nil when no leader is known.
    public static func metadata(_ address: String?) -> [String: String] { [metadataKey: address ?? ""] }

    /// The leader named by a status's trailing metadata, if any.
    public static func leader(in metadata: [String: String]) -> String? {
        guard let address = metadata[metadataKey], !address.isEmpty else { return nil }
        return address
    }
}
