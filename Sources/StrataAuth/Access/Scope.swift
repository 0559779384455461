import Foundation
import StrataCore

/// What a client token may do. Written as text in tokens files and on the command line:
///
/// | text | grants |
/// |---|---|
/// | `admin` | everything: namespaces (create, drop), tokens, cluster operations, and every namespace's data |
/// | `write:NS` | ingest into and delete from namespace NS, and everything `read:NS` grants |
/// | `read:NS` | query namespace NS and fetch its chunks |
/// | `write:*`, `read:*` | the same for every namespace |
/// | `metrics` | `/metrics` and cluster status only (a scraper's token) |
///
/// Every valid token may read cluster and node status (`Permission.observe`); status shows
/// nodes and slots, never a namespace's data. A bare `*` is refused: `admin` says
/// "everything" in a word that reads as what it is.
public enum Scope: Hashable, Sendable, CustomStringConvertible, Comparable {
    case admin
    case metrics
    case read(NamespaceSelector)
    case write(NamespaceSelector)

    /// Parses `admin`, `metrics`, `read:NS`, `write:NS`, `read:*`, `write:*`.
    public init(parsing text: String) throws(StrataError) {
        switch text {
        case "admin": self = .admin
        case "metrics": self = .metrics
        case "*":
            throw .invalidArgument("scope \"*\" is not a scope: use admin for everything, or read:* / write:* for every namespace's data")
        default:
            guard let colon = text.firstIndex(of: ":") else {
                throw .invalidArgument("scope \"\(text)\" is not one of admin, metrics, read:NAMESPACE, write:NAMESPACE")
            }
            let selector = try NamespaceSelector(parsing: String(text[text.index(after: colon)...]), scope: text)
            switch text[..<colon] {
            case "read": self = .read(selector)
            case "write": self = .write(selector)
            default:
                throw .invalidArgument("scope \"\(text)\" is not one of admin, metrics, read:NAMESPACE, write:NAMESPACE")
            }
        }
    }

    /// Parses a comma-separated list ("read:docs,write:code"), refusing an empty one.
    public static func parseList(_ text: String) throws(StrataError) -> [Scope] {
        var scopes: [Scope] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            let scope = try Scope(parsing: trimmed)
            if !scopes.contains(scope) { scopes.append(scope) }
        }
        guard !scopes.isEmpty else { throw .invalidArgument("a token needs at least one scope") }
        return scopes.sorted()
    }

    public var description: String {
        switch self {
        case .admin: "admin"
        case .metrics: "metrics"
        case .read(let selector): "read:\(selector)"
        case .write(let selector): "write:\(selector)"
        }
    }

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.description < rhs.description }
}

/// The namespaces a `read:`/`write:` scope covers: one by name, or every one (`*`).
public enum NamespaceSelector: Hashable, Sendable, CustomStringConvertible {
    case all
    case named(String)

    /// The namespace's characters are checked where namespaces are named (the coordinator's
    /// namespace rules) when a token is created; here only what would make the text
    /// ambiguous is refused.
    init(parsing text: String, scope: String) throws(StrataError) {
        if text == "*" {
            self = .all
            return
        }
        guard !text.isEmpty, text.utf8.count <= 128,
              !text.contains(where: { $0 == ":" || $0 == "," || $0 == "*" || $0.isWhitespace || $0.isNewline })
        else {
            throw .invalidArgument("scope \"\(scope)\" needs a namespace name (1 to 128 characters, no ':', ',', '*' or spaces) or * after the colon")
        }
        self = .named(text)
    }

    public func covers(_ namespace: String) -> Bool {
        switch self {
        case .all: true
        case .named(let name): name == namespace
        }
    }

    public var description: String {
        switch self {
        case .all: "*"
        case .named(let name): name
        }
    }
}
