import StrataCore

/// Test double for a tokenizer: one token per whitespace-separated word. Additive across
/// whitespace, which makes budget edges easy to construct by hand.
struct WhitespaceTokenCounterTestDouble: TokenCounting {
    var kind: TokenizerKind { .estimate }

    func countTokens(_ text: Substring) -> Int {
        var count = 0
        var inWord = false
        for byte in text.utf8 {
            let space = byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
            if !space && !inWord { count += 1 }
            inWord = !space
        }
        return count
    }
}

/// Test double for a tokenizer whose count of a concatenation exceeds the sum of the parts'
/// counts: every newline costs a token, plus one per word. Used to exercise the final recount.
struct NewlineHeavyTokenCounterTestDouble: TokenCounting {
    var kind: TokenizerKind { .estimate }

    func countTokens(_ text: Substring) -> Int {
        WhitespaceTokenCounterTestDouble().countTokens(text) + text.utf8.filter { $0 == 0x0A }.count
    }
}

/// Test double for a tokenizer that is not additive across piece boundaries: one token per
/// word plus one per newline directly followed by "l". Joining "…\n" and "l…" costs a token
/// that neither part counted, the way BPE merges can differ at a boundary.
struct JoinPenaltyTokenCounterTestDouble: TokenCounting {
    var kind: TokenizerKind { .estimate }

    func countTokens(_ text: Substring) -> Int {
        var joins = 0
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if previous == 0x0A && byte == UInt8(ascii: "l") { joins += 1 }
            previous = byte
        }
        return WhitespaceTokenCounterTestDouble().countTokens(text) + joins
    }
}
