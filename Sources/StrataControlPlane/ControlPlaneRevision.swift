/// A point in the control plane's history. With etcd it is etcd's store revision (one per
/// transaction, shared by every key a transaction wrote); the local store counts its own
/// commits since it was opened. 0 means "before anything" (a record that does not exist
/// has revision 0).
public struct ControlPlaneRevision: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }

    public static let zero = ControlPlaneRevision(0)

    public static func < (lhs: ControlPlaneRevision, rhs: ControlPlaneRevision) -> Bool { lhs.value < rhs.value }

    public var description: String { "r\(value)" }
}
