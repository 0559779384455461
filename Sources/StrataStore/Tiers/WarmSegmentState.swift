/// What a warm tier found in /dev/shm is to the machine: a worker's (kept for its warm
/// restart), an orphan (its data directory is gone or names another tier: nothing will ever
/// attach it again), or a segment whose owner is not known (never removed automatically).
///
/// | header of the segment                     | data directory it names        | state          |
/// |-------------------------------------------|--------------------------------|----------------|
/// | no Strata header, older format, bad CRC   | -                              | owner unknown  |
/// | records no data directory                 | -                              | owner unknown  |
/// | records a directory                       | does not exist                 | orphaned       |
/// | records a directory                       | has no `warm-segment` marker   | orphaned       |
/// | records a directory                       | its marker names another tier  | orphaned       |
/// | records a directory                       | its marker names this segment  | owned          |
///
/// A store writes its marker before it creates or attaches its segment, and a segment records
/// its directory only while attached, so a segment that is being set up is never an orphan.
public enum WarmSegmentState: Sendable, Equatable {
    case owned
    case orphaned(reason: String)
    case ownerUnknown(reason: String)

    /// The rule above. `marker` is the segment name the directory's marker file holds (nil:
    /// no marker); names are compared without a leading "/".
    static func judge(
        segment: String, owner header: Result<WarmTierOwner, WarmSegmentHeader.OwnerUnknown>, directoryExists: Bool, marker: String?
    ) -> WarmSegmentState {
        let owner: WarmTierOwner
        switch header {
        case .failure(let unknown): return .ownerUnknown(reason: unknown.reason)
        case .success(let found): owner = found
        }
        guard !owner.directory.isEmpty else { return .ownerUnknown(reason: "no data directory recorded") }
        guard directoryExists else { return .orphaned(reason: "data directory \(owner.directory) is gone") }
        guard let marker else { return .orphaned(reason: "data directory \(owner.directory) names no warm tier") }
        guard plain(marker) == plain(segment) else {
            return .orphaned(reason: "data directory \(owner.directory) now names warm tier \(plain(marker))")
        }
        return .owned
    }

    /// A short label for tables: "owned", "orphaned", "owner unknown".
    public var label: String {
        switch self {
        case .owned: "owned"
        case .orphaned: "orphaned"
        case .ownerUnknown: "owner unknown"
        }
    }

    /// Why, for orphaned and unknown segments; empty when owned.
    public var reason: String {
        switch self {
        case .owned: ""
        case .orphaned(let reason), .ownerUnknown(let reason): reason
        }
    }

    private static func plain(_ name: String) -> Substring {
        name.hasPrefix("/") ? name.dropFirst() : Substring(name)
    }
}
