/// One setting of `StrataConfig`: its dotted path, how to parse it from JSON, an environment
/// variable or a flag, and what values are legal.
struct ConfigKey: Sendable {
    let path: String
    let apply: @Sendable (inout StrataConfig, ConfigValue) throws(StrataError) -> Void

    /// The environment variable that overrides it: `STRATA_` + path in upper snake case.
    var environmentName: String {
        "STRATA_" + path.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}

/// A raw value before it is checked against its key.
enum ConfigValue: Sendable {
    case number(Double)
    case string(String)
    case bool(Bool)
    /// Untyped text from an environment variable or a flag; each key parses it its own way.
    case text(String)

    /// The value as a number, if it is one or is text that spells one.
    var number: Double? {
        switch self {
        case .number(let n): n
        case .text(let t): Double(t)
        default: nil
        }
    }

    /// The value as a string, if it is one (text counts).
    var string: String? {
        switch self {
        case .string(let s), .text(let s): s
        default: nil
        }
    }

    var typeName: String {
        switch self {
        case .text(let t): "\"\(t)\""
        case .number: "a number"
        case .string: "a string"
        case .bool: "a boolean"
        }
    }
}

extension ConfigKey {
    static func int(
        _ path: String, _ keyPath: WritableKeyPath<StrataConfig, Int> & Sendable, _ range: ClosedRange<Int>
    ) -> ConfigKey {
        ConfigKey(path: path) { (config: inout StrataConfig, value: ConfigValue) throws(StrataError) in
            guard let number = value.number else { throw invalid(path, "must be an integer, got \(value.typeName)") }
            guard number.rounded() == number, let integer = Int(exactly: number) else {
                throw invalid(path, "must be an integer, got \(number)")
            }
            guard range.contains(integer) else {
                throw invalid(path, "must be in \(range.lowerBound)...\(range.upperBound), got \(integer)")
            }
            config[keyPath: keyPath] = integer
        }
    }

    static func double(
        _ path: String, _ keyPath: WritableKeyPath<StrataConfig, Double> & Sendable, _ range: ClosedRange<Double>
    ) -> ConfigKey {
        ConfigKey(path: path) { (config: inout StrataConfig, value: ConfigValue) throws(StrataError) in
            guard let number = value.number else { throw invalid(path, "must be a number, got \(value.typeName)") }
            guard range.contains(number) else {
                throw invalid(path, "must be in \(range.lowerBound)...\(range.upperBound), got \(number)")
            }
            config[keyPath: keyPath] = number
        }
    }

    static func string(
        _ path: String, _ keyPath: WritableKeyPath<StrataConfig, String> & Sendable,
        allowed: [String]? = nil, check: (@Sendable (String) -> String?)? = nil
    ) -> ConfigKey {
        ConfigKey(path: path) { (config: inout StrataConfig, value: ConfigValue) throws(StrataError) in
            guard let string = value.string else {
                throw invalid(path, "must be a string, got \(value.typeName)")
            }
            if let allowed, !allowed.contains(string) {
                throw invalid(path, "must be one of \(allowed.joined(separator: ", ")), got \"\(string)\"")
            }
            if let problem = check?(string) { throw invalid(path, problem) }
            config[keyPath: keyPath] = string
        }
    }

    static func bool(_ path: String, _ keyPath: WritableKeyPath<StrataConfig, Bool> & Sendable) -> ConfigKey {
        ConfigKey(path: path) { (config: inout StrataConfig, value: ConfigValue) throws(StrataError) in
            switch value {
            case .bool(let flag): config[keyPath: keyPath] = flag
            case .text("true"): config[keyPath: keyPath] = true
            case .text("false"): config[keyPath: keyPath] = false
            default: throw invalid(path, "must be true or false, got \(value.typeName)")
            }
        }
    }

    static func tier(_ name: String, _ keyPath: WritableKeyPath<StrataConfig, TierSettings> & Sendable) -> [ConfigKey] {
        let prefix = "tiers.\(name)."
        return [
            capacity(prefix + "capacity_bytes") { $0[keyPath: keyPath].capacityBytes = $1 },
            capacity(prefix + "capacity_tokens") { $0[keyPath: keyPath].capacityTokens = $1 },
            ConfigKey(path: prefix + "precision") { (config: inout StrataConfig, value: ConfigValue) throws(StrataError) in
                guard let s = value.string, let precision = VectorPrecision(rawValue: s), precision != .float32 else {
                    throw invalid(prefix + "precision", "must be \"int8\" or \"fp16\"")
                }
                config[keyPath: keyPath].precision = precision
            },
            ConfigKey(path: prefix + "eviction") { (config: inout StrataConfig, value: ConfigValue) throws(StrataError) in
                guard let s = value.string, let policy = EvictionPolicy(rawValue: s), policy != .none else {
                    throw invalid(prefix + "eviction", "must be \"lru\" or \"fifo\"")
                }
                config[keyPath: keyPath].eviction = policy
            },
        ]
    }

    private static func capacity(_ path: String, _ set: @escaping @Sendable (inout StrataConfig, Int) -> Void) -> ConfigKey {
        ConfigKey(path: path) { (config: inout StrataConfig, value: ConfigValue) throws(StrataError) in
            guard let n = value.number, n >= 0, n.rounded() == n, let integer = Int(exactly: n) else {
                throw invalid(path, "must be a non-negative integer")
            }
            set(&config, integer)
        }
    }

    static func invalid(_ path: String, _ problem: String) -> StrataError {
        .invalidArgument("config key \(path) \(problem)")
    }
}

/// Checks a "host:port" address.
func addressProblem(_ address: String) -> String? {
    guard let colon = address.lastIndex(of: ":"), colon != address.startIndex,
          let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port)
    else { return "must be host:port, got \"\(address)\"" }
    return nil
}

/// Checks a comma-separated list of host:port ("" is an empty list), naming the bad entry.
func addressListProblem(_ list: String) -> String? {
    for entry in list.split(separator: ",", omittingEmptySubsequences: false) where !list.isEmpty {
        let trimmed = String(entry.filter { $0 != " " })
        let address = trimmed.hasPrefix("http://") ? String(trimmed.dropFirst(7)) : trimmed
        if let problem = addressProblem(address) { return "entry \"\(trimmed)\" \(problem)" }
    }
    return nil
}
