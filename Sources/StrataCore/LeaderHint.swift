/// How a coordinator that does not lead names the one that does in its refusals
/// (`… (strata-leader=host:port) …`), so that clients and workers retry there.
public enum LeaderHint {
    public static let marker = "strata-leader="

    /// The text a refusal carries for `address`.
    public static func naming(_ address: String) -> String { marker + address }

    /// The leader's address named in `message`, if any.
    public static func leader(in message: String) -> String? {
        guard let range = message.range(of: marker) else { return nil }
        let address = message[range.upperBound...].prefix { !$0.isWhitespace && !")];,".contains($0) }
        return address.isEmpty ? nil : String(address)
    }
}
