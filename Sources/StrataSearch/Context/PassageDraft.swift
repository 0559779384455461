import StrataCore

/// A passage while assembly is still choosing: a contiguous byte range of one document.
struct PassageDraft: Sendable {
    var documentID: String
    var byteStart: Int
    var byteEnd: Int
    var lineStart: Int
    var lineEnd: Int
    var score: Double
    var chunkCount: Int
    var text: String
    var rendered: String = ""
    var tokens: Int = 0

    init(_ candidate: ContextCandidate) {
        let p = candidate.provenance
        documentID = p.documentID
        byteStart = p.byteStart
        byteEnd = p.byteEnd
        lineStart = p.lineStart
        lineEnd = p.lineEnd
        score = candidate.score
        chunkCount = 1
        text = candidate.text
    }

    /// Whether `other` (same document) overlaps this passage or touches it end to start.
    func touches(_ other: PassageDraft) -> Bool {
        other.byteStart <= byteEnd && byteStart <= other.byteEnd
    }

    func contains(_ other: PassageDraft) -> Bool {
        byteStart <= other.byteStart && other.byteEnd <= byteEnd
    }

    /// The union of passages of one document that touch in a chain, as one passage. Overlapping
    /// bytes are taken once: both texts hold the same document bytes there, and chunk
    /// boundaries are scalar boundaries, so dropping the overlap's bytes keeps valid UTF-8.
    static func merging(_ parts: [PassageDraft]) -> PassageDraft {
        let sorted = parts.sorted { $0.byteStart < $1.byteStart }
        var result = sorted[0]
        var bytes = Array(result.text.utf8)
        for part in sorted.dropFirst() {
            result.score = max(result.score, part.score)
            result.chunkCount += part.chunkCount
            result.lineStart = min(result.lineStart, part.lineStart)
            result.lineEnd = max(result.lineEnd, part.lineEnd)
            guard part.byteEnd > result.byteEnd else { continue }
            let overlap = result.byteEnd - part.byteStart
            bytes.append(contentsOf: part.text.utf8.dropFirst(overlap))
            result.byteEnd = part.byteEnd
        }
        result.text = String(decoding: bytes, as: UTF8.self)
        return result
    }

    /// Renders header and text and counts the block's tokens.
    mutating func render(counter: any TokenCounting) {
        var body = Substring(text)
        // Trailing newlines would pile up against the separator; the provenance keeps the range.
        while body.last == "\n" || body.last == "\r\n" { body = body.dropLast() }
        rendered = ContextAssemblySettings.header(documentID: documentID, lineStart: lineStart, lineEnd: lineEnd) + "\n" + body
        tokens = counter.countTokens(rendered)
    }

    func finished() -> ContextPassage {
        ContextPassage(
            documentID: documentID, byteStart: byteStart, byteEnd: byteEnd, lineStart: lineStart, lineEnd: lineEnd,
            score: score, chunkCount: chunkCount, text: text, rendered: rendered, tokens: tokens)
    }
}
