import ArgumentParser
import StrataWire

/// Parses repeatable `key=value` options (`strata ingest --meta`, `strata query --where`).
enum KeyValueOption {
    /// Splits each argument at its first "=" (values may contain "="). A missing "=", an
    /// empty key or a key given twice is a usage error naming the option and the argument.
    static func parse(_ arguments: [String], option: String) throws -> [KeyValue] {
        var pairs: [KeyValue] = []
        var seen: Set<String> = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw ValidationError("\(option) \"\(argument)\" is not key=value")
            }
            let key = String(argument[..<equals])
            guard !key.isEmpty else { throw ValidationError("\(option) \"\(argument)\" has an empty key") }
            guard seen.insert(key).inserted else { throw ValidationError("\(option) gives key \"\(key)\" twice") }
            pairs.append(KeyValue(key: key, value: String(argument[argument.index(after: equals)...])))
        }
        return pairs
    }
}
