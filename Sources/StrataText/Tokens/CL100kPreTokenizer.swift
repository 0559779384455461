/// The pre-tokenizer of `cl100k_base`, mirroring tiktoken's pattern alternative by alternative:
///
///     '(?i:[sdmt]|ll|ve|re) | [^\r\n\p{L}\p{N}]?+\p{L}++ | \p{N}{1,3}+
///     | ?[^\s\p{L}\p{N}]++[\r\n]*+ | \s++$ | \s*[\r\n] | \s+(?!\S) | \s
///
/// The regex engine takes the first alternative that matches at a position, so the checks
/// below run in that order.
struct CL100kPreTokenizer: PreTokenizer {
    func pieceEnd(_ c: UTF8Cursor, from i: Int) -> Int {
        let (v, bits, l) = c.classified(at: i)

        // '(?i:[sdmt]|ll|ve|re)
        if v == 0x27, i + 1 < c.count {
            let (v2, l2) = c.scalar(at: i + 1)
            let lo2 = PreTokenizerRules.lower(v2)
            if PreTokenizerRules.isS(v2) || lo2 == 0x64 || lo2 == 0x6D || lo2 == 0x74 { return i + 1 + l2 }
            if i + 1 + l2 < c.count {
                let (v3, l3) = c.scalar(at: i + 1 + l2)
                let lo3 = PreTokenizerRules.lower(v3)
                if (lo2 == 0x6C && lo3 == 0x6C) || (lo2 == 0x76 && lo3 == 0x65) || (lo2 == 0x72 && lo3 == 0x65) {
                    return i + 1 + l2 + l3
                }
            }
        }

        // [^\r\n\p{L}\p{N}]?+\p{L}++
        if bits & ScalarClass.letter != 0 {
            return c.runEnd(from: i + l, mask: ScalarClass.letter)
        }
        let isNumber = bits & ScalarClass.number != 0
        if !isNumber, bits & ScalarClass.newline == 0, i + l < c.count {
            let (_, nextBits, nl) = c.classified(at: i + l)
            if nextBits & ScalarClass.letter != 0 {
                return c.runEnd(from: i + l + nl, mask: ScalarClass.letter)
            }
        }

        // \p{N}{1,3}+
        if isNumber {
            var j = i + l
            var taken = 1
            while taken < 3, j < c.count {
                let (_, b, nl) = c.classified(at: j)
                if b & ScalarClass.number == 0 { break }
                j += nl
                taken += 1
            }
            return j
        }

        //  ?[^\s\p{L}\p{N}]++[\r\n]*+
        let punctStart = v == 0x20 ? i + 1 : i
        if punctStart < c.count {
            let (_, pb, _) = c.classified(at: punctStart)
            if pb & PreTokenizerRules.notOtherMask == 0 {
                var j = punctStart
                while j < c.count {
                    let (_, b, nl) = c.classified(at: j)
                    if b & PreTokenizerRules.notOtherMask != 0 { break }
                    j += nl
                }
                while j < c.count, c.base[j] == 0x0A || c.base[j] == 0x0D { j += 1 }
                return j
            }
        }

        // Only whitespace remains: \s++$ | \s*[\r\n] | \s+(?!\S) | \s
        return PreTokenizerRules.whitespacePiece(c, from: i, endFirst: true)
    }
}
