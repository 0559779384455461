/// How the passages of an assembled context are ordered.
public enum ContextOrder: String, Sendable, Codable, CaseIterable {
    /// By document id, then position in the document: reads like the source.
    case documentPosition
    /// By the best score among each passage's chunks, best first.
    case score
}
