import StrataCore

/// A passage while assembly is still choosing: a contiguous byte range of one document, kept
/// as non-overlapping pieces in document order.
struct PassageDraft: Sendable {
    var documentID: String
    var byteStart: Int
    var byteEnd: Int
    var lineStart: Int
    var lineEnd: Int
    var score: Double
    var chunkCount: Int
    var pieces: [PassagePiece]
    /// Tokens of the rendered block: exact in exact mode, otherwise the header's count plus
    /// the pieces' counts, which the final recount checks.
    var tokens: Int = 0
    var rendered: String = ""
    /// The exact count of `rendered`, once counted (nil while `rendered` may be out of date).
    var renderedTokens: Int?

    init(_ candidate: ContextCandidate, tokens: Int) {
        let p = candidate.provenance
        documentID = p.documentID
        byteStart = p.byteStart
        byteEnd = p.byteEnd
        lineStart = p.lineStart
        lineEnd = p.lineEnd
        score = candidate.score
        chunkCount = 1
        pieces = [PassagePiece(text: candidate.text[...], tokens: tokens)]
    }

    var text: String { pieces.count == 1 ? String(pieces[0].text) : pieces.map(\.text).joined() }

    var header: String {
        ContextAssemblySettings.header(documentID: documentID, lineStart: lineStart, lineEnd: lineEnd)
    }

    /// Whether `other` (same document) overlaps this passage or touches it end to start.
    func touches(_ other: PassageDraft) -> Bool {
        other.byteStart <= byteEnd && byteStart <= other.byteEnd
    }

    func contains(_ other: PassageDraft) -> Bool {
        byteStart <= other.byteStart && other.byteEnd <= byteEnd
    }

    /// The union of passages of one document that touch in a chain, as one passage.
    /// Overlapping bytes are taken once: both sides hold the same document bytes there, and
    /// chunk boundaries are scalar boundaries, so dropping the overlap keeps valid UTF-8. A
    /// piece cut at its front is recounted; untouched pieces keep their counts.
    static func merging(_ parts: [PassageDraft], counter: any TokenCounting) -> PassageDraft {
        let sorted = parts.sorted { $0.byteStart < $1.byteStart }
        var result = sorted[0]
        result.rendered = ""
        result.renderedTokens = nil
        for part in sorted.dropFirst() {
            result.score = max(result.score, part.score)
            result.chunkCount += part.chunkCount
            result.lineStart = min(result.lineStart, part.lineStart)
            result.lineEnd = max(result.lineEnd, part.lineEnd)
            guard part.byteEnd > result.byteEnd else { continue }
            var overlap = result.byteEnd - part.byteStart
            for piece in part.pieces {
                let length = piece.text.utf8.count
                if overlap >= length {
                    overlap -= length
                    continue
                }
                if overlap > 0 {
                    let start = piece.text.utf8.index(piece.text.startIndex, offsetBy: overlap)
                    let rest = piece.text[start...]
                    result.pieces.append(PassagePiece(text: rest, tokens: counter.countTokens(rest)))
                    overlap = 0
                } else {
                    result.pieces.append(piece)
                }
            }
            result.byteEnd = part.byteEnd
        }
        return result
    }

    /// Counts the block: exactly (render and count) or as header plus pieces.
    mutating func count(counter: any TokenCounting, exact: Bool) {
        if exact {
            render()
            tokens = counter.countTokens(rendered)
            renderedTokens = tokens
        } else {
            tokens = counter.countTokens(header + "\n") + pieces.reduce(0) { $0 + $1.tokens }
        }
    }

    /// Header line, then the text without trailing newlines (they would pile up against the
    /// separator; the provenance keeps the exact range).
    mutating func render() {
        var body = Substring(text)
        while let last = body.last, last == "\n" || last == "\r\n" { body = body.dropLast() }
        rendered = header + "\n" + body
    }

    /// Renders the block and counts it exactly, unless the exact count made it already.
    mutating func renderAndCount(counter: any TokenCounting) {
        guard renderedTokens == nil || rendered.isEmpty else { return }
        render()
        renderedTokens = counter.countTokens(rendered)
    }

    func finished(tokens exactTokens: Int) -> ContextPassage {
        ContextPassage(
            documentID: documentID, byteStart: byteStart, byteEnd: byteEnd, lineStart: lineStart, lineEnd: lineEnd,
            score: score, chunkCount: chunkCount, text: text, rendered: rendered, tokens: exactTokens)
    }
}
