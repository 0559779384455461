import StrataCore

/// A vocabulary-free token estimate for namespaces created with `.estimate`.
///
/// A linear model over character classes counted in one pass over the UTF-8 bytes, fitted
/// by least squares against `cl100k_base` counts of Python standard-library files and C
/// headers; its measured error is in docs/tokens.md (per file, about 5% on Python source and
/// 9-13% on C headers; a few percent over a whole corpus). It is deterministic, but not
/// exact: budgets built on it can overflow a model's window by its error, which is why the
/// exact tokenizers are the default.
public struct EstimateTokenizer: TokenCounting {
    public var kind: TokenizerKind { .estimate }

    public init() {}

    /// Weights per feature, in tokens (see `Features`).
    static let weights = Features(
        words: 0.7919, longWordLetters: 0.1675, digits: 0.6187, punctuation: 0.6007,
        spaces: 0.0581, spaceRuns: 0.4564, newlines: 0.0031, cjk: 1.1365, otherNonASCII: 1.4657)

    public func countTokens(_ text: Substring) -> Int {
        let f = Features(text)
        let w = Self.weights
        let estimate = f.words * w.words + f.longWordLetters * w.longWordLetters
            + f.digits * w.digits + f.punctuation * w.punctuation + f.spaces * w.spaces
            + f.spaceRuns * w.spaceRuns + f.newlines * w.newlines + f.cjk * w.cjk
            + f.otherNonASCII * w.otherNonASCII
        // A non-empty text is at least one token (the fitted weights can round to zero for a
        // lone newline).
        if text.isEmpty { return 0 }
        return max(1, Int(estimate.rounded()))
    }

    /// Character-class counts of a text.
    struct Features {
        /// Runs of ASCII letters.
        var words: Double = 0
        /// ASCII letters beyond the eighth of their run (long identifiers split into pieces).
        var longWordLetters: Double = 0
        var digits: Double = 0
        /// ASCII characters that are not letters, digits or whitespace.
        var punctuation: Double = 0
        /// Space, tab, CR, VT, FF.
        var spaces: Double = 0
        var spaceRuns: Double = 0
        var newlines: Double = 0
        /// CJK, kana and Hangul scalars (one token or more each).
        var cjk: Double = 0
        var otherNonASCII: Double = 0

        init(words: Double, longWordLetters: Double, digits: Double, punctuation: Double, spaces: Double,
             spaceRuns: Double, newlines: Double, cjk: Double, otherNonASCII: Double) {
            self.words = words; self.longWordLetters = longWordLetters; self.digits = digits
            self.punctuation = punctuation; self.spaces = spaces; self.spaceRuns = spaceRuns
            self.newlines = newlines; self.cjk = cjk; self.otherNonASCII = otherNonASCII
        }

        init(_ text: Substring) {
            var words = 0, longLetters = 0, digits = 0, punct = 0, spaces = 0, spaceRuns = 0
            var newlines = 0, cjk = 0, other = 0
            // What the previous scalar was: 0 none/other, 1 letter, 2 space.
            var previous = 0
            var run = 0
            for scalar in text.unicodeScalars {
                let v = scalar.value
                if v < 0x80 {
                    let isLetter = (v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A
                    if isLetter {
                        if previous != 1 { words += 1; run = 0 }
                        run += 1
                        if run > 8 { longLetters += 1 }
                        previous = 1
                    } else if v >= 0x30 && v <= 0x39 {
                        digits += 1; previous = 0
                    } else if v == 0x0A {
                        newlines += 1; previous = 0
                    } else if v == 0x20 || v == 0x09 || v == 0x0D || v == 0x0B || v == 0x0C {
                        spaces += 1
                        if previous != 2 { spaceRuns += 1 }
                        previous = 2
                    } else {
                        punct += 1; previous = 0
                    }
                } else {
                    if (0x2E80..<0xA000).contains(v) || (0xAC00..<0xD7B0).contains(v)
                        || (0xF900..<0xFB00).contains(v) || (0x20000..<0x30000).contains(v) {
                        cjk += 1
                    } else {
                        other += 1
                    }
                    previous = 0
                }
            }
            self.words = Double(words); self.longWordLetters = Double(longLetters)
            self.digits = Double(digits); self.punctuation = Double(punct); self.spaces = Double(spaces)
            self.spaceRuns = Double(spaceRuns); self.newlines = Double(newlines); self.cjk = Double(cjk)
            self.otherNonASCII = Double(other)
        }
    }
}
