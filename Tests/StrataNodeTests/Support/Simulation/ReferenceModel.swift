/// The simulation's oracle: what the client has been told about every document it sent.
///
/// A write the cluster acknowledged must be visible; one that failed (the client saw an
/// error, e.g. a lost reply) may or may not have taken effect, so both answers are allowed
/// until the client re-sends it. A document the cluster said it deleted must never come back.
struct ReferenceModel {
    enum Fate: Equatable, CustomStringConvertible {
        case acknowledged, maybeWritten, deleted, maybeDeleted

        var description: String {
            switch self {
            case .acknowledged: "acknowledged"
            case .maybeWritten: "maybe written"
            case .deleted: "deleted"
            case .maybeDeleted: "maybe deleted"
            }
        }
    }

    private(set) var texts: [String: String] = [:]
    private(set) var fates: [String: Fate] = [:]

    func ids(_ fate: Fate) -> [String] { fates.filter { $0.value == fate }.map(\.key).sorted() }

    /// Records an ingest of `documents` (id → text) and whether the cluster acknowledged it.
    mutating func ingested(_ documents: [(id: String, text: String)], acknowledged: Bool) {
        for document in documents {
            texts[document.id] = document.text
            if acknowledged {
                fates[document.id] = .acknowledged
            } else if fates[document.id] != .acknowledged {
                fates[document.id] = .maybeWritten
            }
        }
    }

    /// Records a delete and whether the cluster acknowledged it. An acknowledged delete counts
    /// for every id asked for, including those the coordinator reported as not found: the
    /// client has been told that none of them exists.
    mutating func deleted(_ ids: [String], acknowledged: Bool) {
        for id in ids {
            if acknowledged {
                fates[id] = .deleted
            } else if fates[id] == .acknowledged {
                fates[id] = .maybeDeleted
            }
        }
    }

    /// The invariants a query answer must keep. `visible` lists every document id in the
    /// answer once per passage, with the passage text; `degraded` is the answer's own flag.
    func violations(visible: [(id: String, text: String)], degraded: Bool) -> [String] {
        var problems: [String] = []
        var seen: Set<String> = []
        for (id, text) in visible {
            if !seen.insert(id).inserted { problems.append("\(id) appears twice in one answer") }
            guard let fate = fates[id], let sent = texts[id] else {
                problems.append("\(id) is in the answer but was never sent")
                continue
            }
            if !text.contains(sent) { problems.append("\(id) came back with text that was never sent: \(text.debugDescription)") }
            if fate == .deleted && !degraded { problems.append("\(id) was deleted (acknowledged) but came back") }
        }
        if !degraded {
            for id in ids(.acknowledged) where !seen.contains(id) {
                problems.append("\(id) was acknowledged but is missing from a complete (not degraded) answer")
            }
        }
        return problems
    }
}
