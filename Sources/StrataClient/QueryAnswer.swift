import StrataWire

/// A query's whole answer: the header (mode, degraded), the passages with their text joined
/// from any fragments, and the summary.
public struct QueryAnswer: Sendable, Equatable {
    public var header = QueryHeader()
    public var passages: [Passage] = []
    public var summary = QuerySummary()

    public init() {}

    /// Adds one message of the answer stream.
    public mutating func add(_ item: QueryResponse) {
        switch item {
        case .header(let header): self.header = header
        case .passage(let passage): passages.append(passage)
        case .textFragment(let text): if !passages.isEmpty { passages[passages.count - 1].text += text }
        case .summary(let summary): self.summary = summary
        }
    }

    /// The context as it goes into a prompt: the server's rendering when it sent one, else
    /// the passages under the same kind of provenance header.
    public var rendered: String {
        if !summary.rendered.isEmpty { return summary.rendered }
        return passages.map { "### \($0.provenance.documentID):\($0.provenance.lineStart)-\($0.provenance.lineEnd)\n\($0.text)" }
            .joined(separator: "\n")
    }
}
