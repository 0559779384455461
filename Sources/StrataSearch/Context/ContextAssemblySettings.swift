import StrataCore

/// Limits and rendering of context assembly.
public struct ContextAssemblySettings: Sendable, Equatable {
    /// Largest budget a query may ask for.
    public var maximumBudget: Int
    /// Between passages.
    public var separator: String

    public init(maximumBudget: Int = 1_000_000, separator: String = "\n\n") {
        self.maximumBudget = maximumBudget
        self.separator = separator
    }

    public static let `default` = ContextAssemblySettings()

    /// The header line Strata puts above each passage, e.g. `### src/a.swift:L10-L42`.
    public static func header(documentID: String, lineStart: Int, lineEnd: Int) -> String {
        "### \(documentID):L\(lineStart)-L\(lineEnd)"
    }

    public func validate() throws(StrataError) {
        guard maximumBudget >= 1 else {
            throw .invalidArgument("maximumBudget is \(maximumBudget); it must be at least 1")
        }
    }
}
