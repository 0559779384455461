import StrataCore

/// A simple gitignore-like pattern: `*.pyc` (any file or directory named so, at any depth),
/// `.git/` (a trailing slash matches directories only), `docs/build` (a pattern containing a
/// slash matches the whole relative path). `*` matches any run of characters except `/`,
/// `?` one character; everything else is literal.
public struct IgnorePattern: Sendable, Hashable, CustomStringConvertible {
    public let description: String
    private let glob: [UInt8]
    private let directoryOnly: Bool
    private let matchesWholePath: Bool

    /// Throws `invalidArgument` naming the field `ignorePatterns` for an empty pattern.
    public init(_ pattern: String) throws {
        description = pattern
        var body = Substring(pattern)
        directoryOnly = body.hasSuffix("/")
        while body.hasSuffix("/") { body = body.dropLast() }
        while body.hasPrefix("/") { body = body.dropFirst() }
        guard !body.isEmpty else {
            throw StrataError.invalidArgument("ignorePatterns: pattern \(pattern.debugDescription) is empty")
        }
        matchesWholePath = body.contains("/")
        glob = Array(body.utf8)
    }

    /// Whether the entry at `relativePath` (`/`-separated, below a root) is ignored.
    public func matches(relativePath: String, isDirectory: Bool) -> Bool {
        if directoryOnly && !isDirectory { return false }
        let subject: Substring
        if matchesWholePath {
            subject = Substring(relativePath)
        } else {
            subject = relativePath.split(separator: "/").last ?? Substring(relativePath)
        }
        return Self.globMatch(glob[...], Array(subject.utf8)[...])
    }

    /// Iterative wildcard matching with single-star backtracking (linear for one `*`).
    static func globMatch(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        let p = Array(pattern), t = Array(text)
        var i = 0, j = 0
        var starP = -1, starT = 0
        while j < t.count {
            if i < p.count, p[i] == UInt8(ascii: "*") {
                starP = i; starT = j; i += 1
            } else if i < p.count, p[i] == UInt8(ascii: "?") || p[i] == t[j], t[j] != UInt8(ascii: "/") || p[i] == t[j] {
                i += 1; j += 1
            } else if starP >= 0, t[starT] != UInt8(ascii: "/") {
                starT += 1; j = starT; i = starP + 1
            } else {
                return false
            }
        }
        while i < p.count, p[i] == UInt8(ascii: "*") { i += 1 }
        return i == p.count
    }
}
