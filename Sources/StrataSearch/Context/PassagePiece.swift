/// A stretch of document text inside a passage, with its exact token count, so that growing a
/// passage costs only the new text's count rather than a recount of the whole passage.
struct PassagePiece: Sendable {
    var text: Substring
    var tokens: Int
}
