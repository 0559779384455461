import Foundation
import StrataCore

/// The first admin token of a cluster, decided once at the first start with `auth.enabled`.
///
/// | tokens stored | `auth.bootstrap_token_file` | that file | directive |
/// |---|---|---|---|
/// | any record (even revoked) | any | any | `.none`: bootstrap happened before |
/// | none | unset | – | generate a token and print it once on stderr |
/// | none | set | missing | generate a token and write it there (0600), print only the path |
/// | none | set | holds a token | adopt that token (e.g. from a Kubernetes Secret) |
/// | none | set | holds anything else | refuse to start, naming the file |
///
/// The token is registered as `TokenBootstrap.adminName` with scope `admin`.
public enum TokenBootstrap {
    public static let adminName = "admin"

    /// What the node finds for the bootstrap file.
    public enum FileState: Equatable, Sendable {
        /// `auth.bootstrap_token_file` is empty.
        case notConfigured
        case missing(path: String)
        case present(path: String, contents: String)
    }

    public enum Directive: Equatable, Sendable {
        case none
        case generateAndPrint
        case generateAndWrite(path: String)
        case adopt(TokenSecret, path: String)
    }

    public static func plan(registry: TokenRegistry, file: FileState) throws(StrataError) -> Directive {
        guard registry.records.isEmpty else { return .none }
        switch file {
        case .notConfigured:
            return .generateAndPrint
        case .missing(let path):
            return .generateAndWrite(path: path)
        case .present(let path, let contents):
            let text = contents.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let secret = TokenSecret(parsing: text) else {
                throw .invalidArgument("auth.bootstrap_token_file \(path) must hold one token (strata_ and 64 lowercase hex digits)")
            }
            return .adopt(secret, path: path)
        }
    }
}
