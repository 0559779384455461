/// The rules of one `.gitignore` file, as git reads them: blank lines and `#` comments are
/// skipped, `!` re-includes, a trailing `/` matches directories only, a pattern with a `/`
/// at its start or middle is matched against the path below the file's directory (anchored),
/// any other against the entry's name at any depth; patterns are `Wildmatch` globs. Within a
/// walk, the last rule that matches decides, deeper files' rules coming after shallower ones.
public struct GitignoreRules: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        var pattern: String
        var negated: Bool
        var directoryOnly: Bool
        var anchored: Bool
    }

    /// The directory the file is in, relative to the walk's root ("" for the root itself).
    public let base: String
    let rules: [Rule]

    public init(base: String, text: String) {
        self.base = base
        var rules: [Rule] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            // Trailing spaces are ignored unless escaped with a backslash.
            while line.hasSuffix(" ") && !line.hasSuffix("\\ ") { line = line.dropLast() }
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            var negated = false
            if line.hasPrefix("!") {
                negated = true
                line = line.dropFirst()
            } else if line.hasPrefix("\\!") || line.hasPrefix("\\#") {
                line = line.dropFirst()
            }
            var directoryOnly = false
            if line.hasSuffix("/") {
                directoryOnly = true
                line = line.dropLast()
            }
            guard !line.isEmpty else { continue }
            let anchored = line.contains("/")
            if line.hasPrefix("/") { line = line.dropFirst() }
            rules.append(Rule(pattern: String(line), negated: negated, directoryOnly: directoryOnly, anchored: anchored))
        }
        self.rules = rules
    }

    /// Whether this file decides about the entry at `relativePath` (below the walk's root):
    /// nil when no rule matches, true when the last matching rule ignores it, false when it
    /// re-includes it.
    public func decision(relativePath: String, isDirectory: Bool) -> Bool? {
        let below: Substring
        if base.isEmpty {
            below = Substring(relativePath)
        } else {
            guard relativePath.hasPrefix(base + "/") else { return nil }
            below = relativePath.dropFirst(base.utf8.count + 1)
        }
        let name = below.split(separator: "/").last.map(String.init) ?? String(below)
        let path = String(below)
        for rule in rules.reversed() {
            if rule.directoryOnly && !isDirectory { continue }
            if Wildmatch.matches(rule.pattern, rule.anchored ? path : name) { return !rule.negated }
        }
        return nil
    }

    /// Whether `files` (shallowest first) ignore the entry.
    public static func ignores(_ files: [GitignoreRules], relativePath: String, isDirectory: Bool) -> Bool {
        for file in files.reversed() {
            if let decision = file.decision(relativePath: relativePath, isDirectory: isDirectory) { return decision }
        }
        return false
    }
}
