/// Chooses where a chunk ends inside its window `(floor, limit]`, by preference: after a
/// blank line, after a line end, after a sentence end, after a word, or at the last grapheme
/// boundary. Within each kind the latest position wins, so chunks come out as full as they
/// can while still ending naturally.
struct BoundaryFinder {
    let bytes: UnsafeBufferPointer<UInt8>
    let graphemes: GraphemeBoundaries

    func bestCut(chunkStart: Int, floor: Int, limit: Int) -> Int {
        var lineEnd = -1, sentenceEnd = -1, wordEnd = -1
        // Walk backward from the limit: the first blank line found is the best cut there is.
        var p = limit - 1
        while p >= floor {
            let b = bytes[p]
            let cut = p + 1
            if b == 0x0A {
                if isAfterBlankLine(p, chunkStart: chunkStart) { return cut }
                if lineEnd < 0 { lineEnd = cut }
            } else if lineEnd < 0 && sentenceEnd < 0 {
                if (b == 0x20 || b == 0x09), p > chunkStart, isSentencePunctuation(p - 1), graphemes.isBoundary(cut) {
                    sentenceEnd = cut
                } else if isFullWidthSentenceEnd(endingAt: p), graphemes.isBoundary(cut) {
                    sentenceEnd = cut
                } else if wordEnd < 0, b == 0x20 || b == 0x09, graphemes.isBoundary(cut) {
                    wordEnd = cut
                }
            }
            p -= 1
        }
        if lineEnd > 0 { return lineEnd }
        if sentenceEnd > 0 { return sentenceEnd }
        if wordEnd > 0 { return wordEnd }
        return graphemes.boundary(atOrBefore: limit, above: chunkStart)
    }

    /// Whether the line ending with the LF at `p` holds only spaces, tabs or CR, and is not
    /// the chunk's first line (a blank line there would make an empty-looking chunk).
    @inline(__always)
    private func isAfterBlankLine(_ p: Int, chunkStart: Int) -> Bool {
        var q = p - 1
        while q >= chunkStart {
            let b = bytes[q]
            if b == 0x0A { return q > chunkStart }
            if b != 0x20 && b != 0x09 && b != 0x0D { return false }
            q -= 1
        }
        return false
    }

    @inline(__always)
    private func isSentencePunctuation(_ p: Int) -> Bool {
        let b = bytes[p]
        return b == 0x2E || b == 0x21 || b == 0x3F  // . ! ?
    }

    /// CJK sentence ends need no following space: 。 (E3 80 82), ！ (EF BC 81), ？ (EF BC 9F).
    @inline(__always)
    private func isFullWidthSentenceEnd(endingAt p: Int) -> Bool {
        guard p >= 2 else { return false }
        let a = bytes[p - 2], b = bytes[p - 1], c = bytes[p]
        return (a == 0xE3 && b == 0x80 && c == 0x82) || (a == 0xEF && b == 0xBC && (c == 0x81 || c == 0x9F))
    }
}
