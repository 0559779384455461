import StrataCore

/// A stored document read back: its text rebuilt from its chunks, and a range of its lines.
///
/// Chunks cover byte ranges of the document's UTF-8 text in order. With a chunk overlap,
/// consecutive ranges overlap, so each chunk adds only the bytes past the end of the one
/// before; chunks whose ranges are unknown (all zero) are taken to follow one another.
public enum DocumentText {
    /// One chunk of a document as stored: its text and the half-open byte range it covers.
    public struct Piece: Sendable, Equatable {
        public var text: String
        public var byteStart: Int
        public var byteEnd: Int

        public init(text: String, byteStart: Int, byteEnd: Int) {
            self.text = text
            self.byteStart = byteStart
            self.byteEnd = byteEnd
        }
    }

    /// A range of a document's lines.
    public struct Lines: Sendable, Equatable {
        /// The lines' text, each with its newline if it has one.
        public var text: String
        /// The first line returned (1-based).
        public var lineStart: Int
        /// The last line returned, inclusive.
        public var lineEnd: Int
        /// Lines in the whole document.
        public var totalLines: Int
        /// Fewer lines than asked were returned because of the byte limit.
        public var truncated: Bool
    }

    /// The document's text from its pieces in document order.
    public static func reassemble(_ pieces: [Piece]) -> String {
        var bytes: [UInt8] = []
        var end = 0
        for piece in pieces {
            let utf8 = Array(piece.text.utf8)
            let known = piece.byteEnd > piece.byteStart
            // Overlap with what is already there: skip the bytes the previous chunk covered.
            let skip = known && piece.byteStart < end ? min(end - piece.byteStart, utf8.count) : 0
            bytes += utf8[skip...]
            end = known ? max(end, piece.byteEnd) : end + utf8.count
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Lines `start` through `end` (1-based, inclusive; `end` nil or past the last line reads
    /// to the end), cut short at a line boundary so the text stays within `maxBytes` (at least
    /// one line is always returned, even if longer). OUT_OF_RANGE when `start` is past the
    /// last line, INVALID_ARGUMENT when `end` is below `start`.
    public static func lines(of text: String, from start: Int, through end: Int?, maxBytes: Int) throws(StrataError) -> Lines {
        let utf8 = Array(text.utf8)
        // Offsets where each line starts.
        var starts: [Int] = utf8.isEmpty ? [] : [0]
        for (offset, byte) in utf8.enumerated() where byte == UInt8(ascii: "\n") && offset + 1 < utf8.count {
            starts.append(offset + 1)
        }
        let total = starts.count
        guard start >= 1 else { throw .invalidArgument("line_start must be 1 or more, got \(start)") }
        if let end, end < start { throw .invalidArgument("line_end \(end) is below line_start \(start)") }
        guard start <= total else {
            throw StrataError(.outOfRange, "line_start \(start) is past the document's last line (\(total) lines)")
        }
        let wantedEnd = min(end ?? total, total)
        func lineEndOffset(_ line: Int) -> Int { line < total ? starts[line] : utf8.count }
        var last = wantedEnd
        let from = starts[start - 1]
        while last > start && lineEndOffset(last) - from > maxBytes { last -= 1 }
        let slice = utf8[from..<lineEndOffset(last)]
        return Lines(text: String(decoding: slice, as: UTF8.self), lineStart: start, lineEnd: last,
                     totalLines: total, truncated: last < wantedEnd)
    }
}
