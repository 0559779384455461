/// Takes file system paths out of text that leaves the cluster: a client learns that a
/// worker's disk is full, not where that worker keeps its data.
public enum PathRedaction {
    /// `text` with every absolute path (a `/` that starts a word, followed by at least one more
    /// `/`-separated part) replaced by `<path>`.
    public static func redact(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let slash = rest.firstIndex(of: "/") {
            let before = rest[..<slash]
            let startsWord = before.last.map { $0 == " " || $0 == "(" || $0 == "\"" || $0 == "'" || $0 == "=" } ?? true
            let end = rest[slash...].firstIndex { $0 == " " || $0 == ":" || $0 == ")" || $0 == "," || $0 == "\"" || $0 == "'" || $0 == ";" }
                ?? rest.endIndex
            let word = rest[slash..<end]
            result += before
            if startsWord, word.dropFirst().contains("/") {
                result += "<path>"
            } else {
                result += word
            }
            rest = rest[end...]
        }
        return result + rest
    }
}
