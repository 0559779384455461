import StrataCore

/// The bench's vocabulary-free token estimate (see the note above), cl100k-like on code.
struct BenchTokenEstimate: TokenCounting {
    var kind: TokenizerKind { .estimate }

    func countTokens(_ text: Substring) -> Int {
        var count = 0
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if Self.isLetter(b) {
                var run = 0
                while i < utf8.endIndex, Self.isLetter(utf8[i]) {
                    run += 1
                    i = utf8.index(after: i)
                }
                count += 1 + (run - 1) / 8
            } else if b >= 0x30 && b <= 0x39 {
                var run = 0
                while i < utf8.endIndex, utf8[i] >= 0x30, utf8[i] <= 0x39 {
                    run += 1
                    i = utf8.index(after: i)
                }
                count += (run + 2) / 3
            } else if b == 0x0A {
                while i < utf8.endIndex, utf8[i] == 0x0A || utf8[i] == 0x20 { i = utf8.index(after: i) }
                count += 1
            } else if b == 0x20 {
                // A single space joins the next word; longer runs (indentation) are one token.
                var run = 0
                while i < utf8.endIndex, utf8[i] == 0x20 {
                    run += 1
                    i = utf8.index(after: i)
                }
                if run > 1 { count += 1 }
            } else {
                count += 1
                i = utf8.index(after: i)
            }
        }
        return count
    }

    @inline(__always)
    static func isLetter(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b >= 0x80
    }
}
