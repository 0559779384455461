/// What a sync must do to make a namespace mirror a directory (pure): files with no document
/// are added, files whose hash differs from their document's are changed (a document whose
/// stored content is unknown -- an empty hash -- counts as differing), documents with no file
/// are deleted, and the rest is left alone.
public struct SyncPlan: Sendable, Equatable {
    /// Document ids, in id order.
    public var add: [String] = []
    public var change: [String] = []
    public var delete: [String] = []
    public var unchanged = 0

    public init(add: [String] = [], change: [String] = [], delete: [String] = [], unchanged: Int = 0) {
        self.add = add
        self.change = change
        self.delete = delete
        self.unchanged = unchanged
    }

    /// `local`: the directory's files (id → content hash); `remote`: the namespace's
    /// documents (id → content hash, empty when unknown).
    public static func make(local: [String: String], remote: [String: String]) -> SyncPlan {
        var plan = SyncPlan()
        for (id, hash) in local {
            switch remote[id] {
            case nil: plan.add.append(id)
            case hash?: plan.unchanged += 1
            default: plan.change.append(id)
            }
        }
        plan.delete = remote.keys.filter { local[$0] == nil }
        plan.add.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        plan.change.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        plan.delete.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return plan
    }

    /// Whether the namespace already mirrors the directory.
    public var isEmpty: Bool { add.isEmpty && change.isEmpty && delete.isEmpty }
}
