import StrataCore

/// Document ids are relative, normalized, `/`-separated paths: no leading `/`, no `.` or
/// empty components, no `..` (an id must never name something outside its namespace's root).
public enum DocumentID {
    /// The normalized form of `raw`, or `invalidArgument` naming the field `documentID`.
    /// `a//b/./c` becomes `a/b/c`; `../x`, `a/../../x`, `/etc/passwd` relative parts with
    /// `..`, an empty id and NUL bytes are rejected.
    public static func normalize(_ raw: String) throws -> String {
        guard !raw.utf8.contains(0) else {
            throw StrataError.invalidArgument("documentID \(raw.debugDescription) contains a NUL byte")
        }
        var parts: [Substring] = []
        for component in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                throw StrataError.invalidArgument("documentID \(raw.debugDescription) contains '..'")
            }
            parts.append(component)
        }
        guard !parts.isEmpty else {
            throw StrataError.invalidArgument("documentID \(raw.debugDescription) is empty")
        }
        return parts.joined(separator: "/")
    }
}
