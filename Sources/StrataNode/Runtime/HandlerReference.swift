import StrataCore

/// How a node's RPC handlers hold the node: made from the node once it exists, and weak,
/// because the node owns the server that owns the handlers. A call that arrives while the
/// node is being torn down gets UNAVAILABLE.
struct HandlerReference<Node: AnyObject & Sendable>: Sendable {
    private weak let node: Node?
    /// Names the node in the UNAVAILABLE message ("the worker is shutting down").
    private let role: NodeRole

    init(_ node: Node, role: NodeRole) {
        self.node = node
        self.role = role
    }

    /// The node, or UNAVAILABLE while it is being torn down.
    func callAsFunction() throws(StrataError) -> Node {
        guard let node else { throw StrataError(.unavailable, "the \(role.rawValue) is shutting down") }
        return node
    }
}
