import Foundation

/// The `authorization` metadata convention of gRPC clients (grpcio, grpcurl `-H`, Envoy):
/// `Bearer <token>`, the scheme case-insensitive (RFC 7235).
public enum BearerCredential {
    /// The metadata key (gRPC keys are lowercase).
    public static let metadataKey = "authorization"

    /// The token of a `Bearer` credential, nil for any other shape.
    public static func token(fromAuthorization value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " "),
              trimmed[..<space].lowercased() == "bearer" else { return nil }
        let token = trimmed[space...].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else { return nil }
        return token
    }

    /// The metadata value a client sends for `token`.
    public static func metadataValue(for token: String) -> String { "Bearer \(token)" }
}
