/// The two kinds of Strata node, as node-to-node authorization tells them apart.
public enum NodeRole: String, Hashable, Sendable, CustomStringConvertible {
    case coordinator
    case worker

    public var description: String { rawValue }
}
