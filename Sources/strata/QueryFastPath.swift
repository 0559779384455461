import StrataCLIOptions

/// Parses the command lines of `strata query` that people and scripts type -- long options
/// with their value as the next argument or after "=", `-n`, `--json`, the query text --
/// without ArgumentParser, whose parse reflects over every option of the command tree and
/// was about a quarter of the CPU of a small query (docs/benchmarks.md, section 15).
///
/// Anything else -- help, an unknown or repeated option, a value that looks like an option or
/// does not convert, a command line that `QueryCommand.validate()` would refuse -- gives nil,
/// and `StrataCLI` parses it with ArgumentParser as before, so every error message, help text
/// and exit code stays ArgumentParser's own. StrataCLITests checks that both parsers agree.
enum QueryFastPath {
    /// The options that take a value, by long name (`QueryCommand`, `CoordinatorOptions`,
    /// `ClientTLSOptions`).
    /// (Arrays, not sets: a set's first use looks its element's `Hashable` conformance up
    /// at run time, a scan of every conformance record of the binary.)
    static let valueOptions = ["coordinator", "timeout", "token", "token-file", "ca", "cert", "key",
                               "namespace", "budget", "top-k", "mode", "prefix", "where"]
    /// The options that take no value.
    static let flags = ["json"]

    /// The query `arguments` (without the program name) ask for, or nil when ArgumentParser
    /// should parse them.
    static func parse(_ arguments: [String]) -> QueryInvocation? {
        guard arguments.first == "query" else { return nil }
        var values = OptionValues()
        var whereEquals: [String] = []
        var json = false
        var text: String?
        var index = arguments.index(after: arguments.startIndex)
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-") else {
                guard text == nil else { return nil }
                text = argument
                continue
            }
            let name: String
            var value: String?
            if argument == "-n" {
                name = "namespace"
            } else if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                if let equals = body.firstIndex(of: "=") {
                    name = String(body[..<equals])
                    let attached = String(body[body.index(after: equals)...])
                    guard !attached.isEmpty, !attached.hasPrefix("-") else { return nil }
                    value = attached
                } else {
                    name = String(body)
                }
            } else {
                return nil
            }
            if flags.contains(name) {
                guard value == nil, !json else { return nil }
                json = true
                continue
            }
            guard valueOptions.contains(name) else { return nil }
            if value == nil {
                guard index < arguments.endIndex, !arguments[index].hasPrefix("-") else { return nil }
                value = arguments[index]
                index += 1
            }
            guard let value else { return nil }
            if name == "where" {
                whereEquals.append(value)
            } else if !values.set(name, value) {
                return nil
            }
        }
        guard let text, let namespace = values["namespace"] else { return nil }
        var query = QueryInvocation(connection: CoordinatorSettings(coordinator: values["coordinator"], token: values["token"], tokenFile: values["token-file"],
                                                                    tls: ClientTLSSettings(ca: values["ca"], cert: values["cert"], key: values["key"])),
                                    namespace: namespace, whereEquals: whereEquals, json: json, text: text)
        if let timeout = values["timeout"] {
            guard let seconds = Double(timeout) else { return nil }
            query.connection.timeout = seconds
        }
        if let budget = values["budget"] {
            guard let tokens = UInt32(budget) else { return nil }
            query.budget = tokens
        }
        if let topK = values["top-k"] {
            guard let candidates = UInt32(topK) else { return nil }
            query.topK = candidates
        }
        if let mode = values["mode"] { query.mode = mode }
        if let prefix = values["prefix"] { query.prefix = prefix }
        guard (try? query.validate()) != nil else { return nil }
        return query
    }
}

/// The values of the single-value options given, by long name; a name given twice is refused.
private struct OptionValues {
    private var pairs: [(name: String, value: String)] = []

    subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Records `value` for `name`; false when `name` already has one.
    mutating func set(_ name: String, _ value: String) -> Bool {
        guard self[name] == nil else { return false }
        pairs.append((name, value))
        return true
    }
}
