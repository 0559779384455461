/// Grapheme-cluster boundaries near a byte offset of valid UTF-8, computed with Swift's own
/// `Character` segmentation on a small window so that the chunker, which works on bytes,
/// never cuts an emoji sequence, a flag or a base letter from its combining marks.
struct GraphemeBoundaries {
    let bytes: UnsafeBufferPointer<UInt8>

    /// Whether a cut at `offset` falls between two grapheme clusters.
    func isBoundary(_ offset: Int) -> Bool {
        if offset <= 0 || offset >= bytes.count { return true }
        let before = bytes[offset - 1], after = bytes[offset]
        // Between two ASCII scalars every position is a boundary except inside CR LF; no ASCII
        // scalar extends, joins or prepends. This settles nearly every cut without segmenting.
        if before < 0x80 && after < 0x80 { return !(before == 0x0D && after == 0x0A) }
        if after & 0xC0 == 0x80 { return false }  // inside a scalar
        return boundaries(around: offset).contains(offset)
    }

    /// The last boundary at or before `offset` that is greater than `floor`, or, when the
    /// grapheme cluster spanning `offset` starts at or before `floor` (a single cluster
    /// longer than the window), the first boundary after `floor`.
    func boundary(atOrBefore offset: Int, above floor: Int) -> Int {
        if isBoundary(offset) { return offset }
        let candidates = boundaries(around: offset)
        if let best = candidates.last(where: { $0 <= offset && $0 > floor }) { return best }
        // Walk forward until the cluster ends; only pathological text (thousands of
        // combining marks) gets here.
        var probe = offset + 1
        while probe < bytes.count && !isBoundary(probe) { probe += 1 }
        return probe
    }

    /// Boundaries inside a window around `offset`. The window starts just after a line feed
    /// when one is near (always a boundary, so segmentation starts in step with the text).
    private func boundaries(around offset: Int) -> [Int] {
        var start = offset
        let lowest = max(0, offset - 256)
        while start > lowest && bytes[start - 1] != 0x0A { start -= 1 }
        while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        // Flags pair regional indicators counted from the start of their run, so a window
        // must not begin inside a run (F0 9F 87 A6...BF are U+1F1E6...U+1F1FF).
        if start > 0 && bytes[start - 1] != 0x0A {
            while start >= 4 && bytes[start - 4] == 0xF0 && bytes[start - 3] == 0x9F
                    && bytes[start - 2] == 0x87 && bytes[start - 1] >= 0xA6 && bytes[start - 1] <= 0xBF {
                start -= 4
            }
        }
        var end = min(bytes.count, offset + 64)
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        let window = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        var result: [Int] = []
        var utf8Offset = start
        for character in window {
            utf8Offset += character.utf8.count
            result.append(utf8Offset)
        }
        // The last cluster may continue past the window; only trust it at the text's end.
        if end < bytes.count { result.removeLast() }
        return result
    }
}
