import MCP

/// A tool call's arguments, read against what the tool's schema promises; every problem is a
/// `ToolInputError` whose message tells the model what to send instead.
struct ToolArguments {
    let tool: String
    let values: [String: Value]

    init(tool: String, _ values: [String: Value]?, allowed: Set<String>) throws(ToolInputError) {
        self.tool = tool
        self.values = values ?? [:]
        if let unknown = self.values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ToolInputError("\(tool) has no argument '\(unknown)'; its arguments are \(allowed.sorted().joined(separator: ", ")).")
        }
    }

    /// A string argument that must be present and not blank.
    func requiredString(_ name: String, what: String) throws(ToolInputError) -> String {
        guard let value = values[name], !value.isNull else {
            throw ToolInputError("\(tool) needs the argument '\(name)': \(what).")
        }
        guard let string = value.stringValue else {
            throw ToolInputError("\(tool)'s argument '\(name)' must be a string: \(what).")
        }
        guard !string.allSatisfy(\.isWhitespace) else {
            throw ToolInputError("\(tool)'s argument '\(name)' is empty: \(what).")
        }
        return string
    }

    /// An optional string argument ("" when absent).
    func string(_ name: String) throws(ToolInputError) -> String {
        guard let value = values[name], !value.isNull else { return "" }
        guard let string = value.stringValue else { throw ToolInputError("\(tool)'s argument '\(name)' must be a string.") }
        return string
    }

    /// An optional integer argument within `range` (nil when absent). A whole number sent as
    /// a JSON float (3.0) is accepted; a fraction or a string is not.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(ToolInputError) -> Int? {
        guard let value = values[name], !value.isNull else { return nil }
        let number: Int
        if let int = value.intValue {
            number = int
        } else if let double = value.doubleValue, double.rounded() == double, abs(double) < 1e15 {
            number = Int(double)
        } else {
            throw ToolInputError("\(tool)'s argument '\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        guard range.contains(number) else {
            throw ToolInputError("\(tool)'s argument '\(name)' is \(number); it must be from \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }

    /// An optional enumerated string argument.
    func choice(_ name: String, from choices: [String], default fallback: String) throws(ToolInputError) -> String {
        let value = try string(name)
        if value.isEmpty { return fallback }
        guard choices.contains(value) else {
            throw ToolInputError("\(tool)'s argument '\(name)' is '\(value)'; it must be one of \(choices.joined(separator: ", ")).")
        }
        return value
    }

    /// An optional object of string values, sorted by key.
    func stringMap(_ name: String) throws(ToolInputError) -> [(key: String, value: String)] {
        guard let value = values[name], !value.isNull else { return [] }
        guard let object = value.objectValue else {
            throw ToolInputError("\(tool)'s argument '\(name)' must be an object of string values, e.g. {\"team\": \"search\"}.")
        }
        return try object.keys.sorted().map { key throws(ToolInputError) in
            guard let string = object[key]?.stringValue else {
                throw ToolInputError("\(tool)'s argument '\(name)': the value of '\(key)' must be a string.")
            }
            return (key, string)
        }
    }
}

/// A tool call whose arguments do not fit the tool's schema, with what to do instead.
struct ToolInputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
