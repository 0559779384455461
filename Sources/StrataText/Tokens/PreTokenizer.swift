/// Splits text into the pieces that byte-pair encoding then merges independently.
///
/// Each tiktoken encoding defines its pieces with a regular expression. Strata reproduces
/// each expression as a hand-written matcher over Unicode scalars (Swift's `Regex` is far too
/// slow for this, and the pieces must be exactly the same as the regex's, alternative by
/// alternative, including its backtracking). Implementations document the pattern they mirror.
protocol PreTokenizer: Sendable {
    /// The byte offset where the piece starting at `start` ends (`start < cursor.count`).
    func pieceEnd(_ cursor: UTF8Cursor, from start: Int) -> Int
}

extension PreTokenizer {
    /// Calls `body` with the byte range of each piece of `buffer`, in order.
    @inline(__always)
    func forEachPiece(_ buffer: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) {
        let cursor = UTF8Cursor(buffer)
        var i = 0
        while i < cursor.count {
            let end = pieceEnd(cursor, from: i)
            body(i, end)
            i = end
        }
    }
}

/// Helpers shared by both pre-tokenizers.
enum PreTokenizerRules {
    /// Not whitespace, not a letter, not a number: the `[^\s\p{L}\p{N}]` class.
    static let notOtherMask: UInt8 = ScalarClass.letter | ScalarClass.number | ScalarClass.whitespace

    /// Matches `s` case-insensitively the way Rust's `regex` does with Unicode simple case
    /// folding, which also folds U+017F LATIN SMALL LETTER LONG S to `s`.
    @inline(__always)
    static func isS(_ v: UInt32) -> Bool { v == 0x73 || v == 0x53 || v == 0x17F }

    @inline(__always)
    static func lower(_ v: UInt32) -> UInt32 { (v >= 0x41 && v <= 0x5A) ? v | 0x20 : v }

    /// The end of the whitespace run starting at `i`, the start of its last scalar, and the
    /// end of its last CR or LF (or -1 when the run holds none).
    @inline(__always)
    static func whitespaceRun(_ c: UTF8Cursor, from i: Int) -> (end: Int, lastStart: Int, lastNewlineEnd: Int) {
        var j = i
        var lastStart = i
        var lastNewlineEnd = -1
        while j < c.count {
            let (v, bits, l) = c.classified(at: j)
            if bits & ScalarClass.whitespace == 0 { break }
            if v == 0x0A || v == 0x0D { lastNewlineEnd = j + l }
            lastStart = j
            j += l
        }
        return (j, lastStart, lastNewlineEnd)
    }

    /// The whitespace alternatives at a whitespace scalar `i`. cl100k tries `\s++$` (the
    /// whole run when it reaches the end of the text) before `\s*[\r\n]`; o200k has no such
    /// alternative and tries `\s*[\r\n]+` first (`endFirst == false`). Both then try
    /// `\s*[\r\n]` (up to the run's last CR or LF), `\s+(?!\S)` (the whole run at the end
    /// of the text, else the run less its last scalar when that leaves at least one), and
    /// finally a single scalar (cl100k's `\s`) or the whole run (o200k's `\s+`), which are the
    /// same thing once `\s+(?!\S)` has failed.
    @inline(__always)
    static func whitespacePiece(_ c: UTF8Cursor, from i: Int, endFirst: Bool) -> Int {
        let run = whitespaceRun(c, from: i)
        // Unreachable when the classes are consistent (every scalar is a letter, number,
        // whitespace or "other", and the callers handle the first three and "other"), but a
        // piece must never be empty or encoding would loop forever.
        if run.end == i { return i + c.scalar(at: i).length }
        if endFirst, run.end == c.count { return run.end }
        if run.lastNewlineEnd >= 0 { return run.lastNewlineEnd }
        if run.end == c.count { return run.end }
        if run.lastStart > i { return run.lastStart }
        return run.end
    }
}
