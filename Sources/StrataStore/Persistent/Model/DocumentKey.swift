/// A document's identity inside a store: namespace and document id.
struct DocumentKey: Hashable, Sendable {
    var namespace: String
    var documentID: String
}
