import StrataCore

/// Cuts documents into chunks at natural boundaries: a blank line if the window has one,
/// else a line end, else a sentence end, else a word boundary, else the last grapheme
/// boundary before the target size. Never splits a UTF-8 scalar or a grapheme cluster.
///
/// Runs on every ingested byte, so it works on the UTF-8 bytes directly and only segments
/// graphemes next to a candidate cut. Pure: no I/O.
public struct Chunker: Sendable {
    public let settings: ChunkerSettings

    /// Throws `invalidArgument` when the settings are out of range.
    public init(settings: ChunkerSettings = .default) throws {
        try settings.validate()
        self.settings = settings
    }

    /// Chunks a document given as raw bytes; throws `invalidArgument` naming the document
    /// and the offset of the first bad byte when they are not valid UTF-8.
    public func chunk(documentID: String, bytes: [UInt8]) throws -> [TextChunk] {
        try chunk(documentID: documentID, text: UTF8Validation.decode(bytes, documentID: documentID))
    }

    /// Chunks a document. An empty text has no chunks.
    public func chunk(documentID: String, text: String) -> [TextChunk] {
        var text = text
        return text.withUTF8 { buffer in
            var chunks: [TextChunk] = []
            forEachChunk(buffer) { start, end, lineStart, lineEnd in
                chunks.append(TextChunk(
                    text: String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self),
                    provenance: ChunkProvenance(documentID: documentID, byteStart: start, byteEnd: end,
                                                lineStart: lineStart, lineEnd: lineEnd)))
            }
            return chunks
        }
    }

    /// Calls `body(byteStart, byteEnd, lineStart, lineEnd)` for each chunk of valid UTF-8
    /// `bytes`, in order (lines are 1-based and inclusive).
    func forEachChunk(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, Int, Int, Int) -> Void) {
        let n = bytes.count
        let graphemes = GraphemeBoundaries(bytes: bytes)
        let target = settings.targetCharacters
        let minimumFill = max(1, Int(Double(target) * settings.minimumFillFraction))
        var start = 0
        var line = 1  // line number at `start`
        while start < n {
            let limit = Self.advance(bytes, from: start, scalars: target)
            let cut: Int
            if limit >= n {
                cut = n
            } else {
                let floor = Self.advance(bytes, from: start, scalars: minimumFill)
                cut = BoundaryFinder(bytes: bytes, graphemes: graphemes)
                    .bestCut(chunkStart: start, floor: min(floor, limit - 1), limit: limit)
            }
            let newlinesInChunk = Self.countNewlines(bytes, start, cut - 1)
            body(start, cut, line, line + newlinesInChunk)
            if cut >= n { break }
            let next = nextStart(bytes, graphemes: graphemes, chunkStart: start, cut: cut)
            line += Self.countNewlines(bytes, start, next)
            start = next
        }
    }

    /// Where the chunk after one ending at `cut` starts: `cut` itself without overlap, else
    /// `overlapCharacters` back, moved forward to the next word start in that span.
    private func nextStart(_ bytes: UnsafeBufferPointer<UInt8>, graphemes: GraphemeBoundaries, chunkStart: Int, cut: Int) -> Int {
        guard settings.overlapCharacters > 0 else { return cut }
        var back = cut
        var scalars = 0
        while back > chunkStart + 1 && scalars < settings.overlapCharacters {
            back -= 1
            if bytes[back] & 0xC0 != 0x80 { scalars += 1 }
        }
        var candidate = back
        while candidate < cut, bytes[candidate] != 0x20, bytes[candidate] != 0x0A, bytes[candidate] != 0x09 { candidate += 1 }
        while candidate < cut, bytes[candidate] == 0x20 || bytes[candidate] == 0x0A || bytes[candidate] == 0x09 { candidate += 1 }
        if candidate >= cut { candidate = back }
        let aligned = graphemes.boundary(atOrBefore: candidate, above: chunkStart)
        return aligned > chunkStart && aligned <= cut ? aligned : cut
    }

    /// The byte offset `scalars` Unicode scalars after `start` (or the end).
    @inline(__always)
    static func advance(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, scalars: Int) -> Int {
        var i = start
        var seen = 0
        let n = bytes.count
        while i < n {
            if bytes[i] & 0xC0 != 0x80 {
                if seen == scalars { return i }
                seen += 1
            }
            i += 1
        }
        return n
    }

    /// Line feeds in `bytes[from..<to]`.
    @inline(__always)
    static func countNewlines(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var count = 0
        var i = from
        while i < to {
            if bytes[i] == 0x0A { count += 1 }
            i += 1
        }
        return count
    }
}
