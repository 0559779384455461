/// The pre-tokenizer of `o200k_base`, mirroring tiktoken's pattern alternative by alternative
/// (U = `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`, W = `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`,
/// P = `[^\r\n\p{L}\p{N}]`, C = `(?i:'s|'t|'re|'ve|'m|'ll|'d)`):
///
///     P?U*W+C? | P?U+W*C? | \p{N}{1,3} | ?[^\s\p{L}\p{N}]+[\r\n/]*
///     | \s*[\r\n]+ | \s+(?!\S) | \s+
///
/// These alternatives are not possessive, so the matcher reproduces the regex engine's
/// backtracking: an optional P is first taken and then dropped if the rest cannot match, and
/// `U*` gives back scalars until `W+` can match (Lm, Lo and M are in both U and W).
struct O200kPreTokenizer: PreTokenizer {
    func pieceEnd(_ c: UTF8Cursor, from i: Int) -> Int {
        let (v, bits, l) = c.classified(at: i)
        let isP = bits & (ScalarClass.letter | ScalarClass.number | ScalarClass.newline) == 0

        // P?U*W+C?
        if isP, let end = upperLower(c, from: i + l) { return end }
        if let end = upperLower(c, from: i) { return end }
        // P?U+W*C?
        if isP, let end = upperThenLower(c, from: i + l) { return end }
        if let end = upperThenLower(c, from: i) { return end }

        // \p{N}{1,3}
        if bits & ScalarClass.number != 0 {
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

        //  ?[^\s\p{L}\p{N}]+[\r\n/]*
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
                while j < c.count, c.base[j] == 0x0A || c.base[j] == 0x0D || c.base[j] == 0x2F { j += 1 }
                return j
            }
        }

        // \s*[\r\n]+ | \s+(?!\S) | \s+
        return PreTokenizerRules.whitespacePiece(c, from: i, endFirst: false)
    }

    /// `U*W+C?` from `p`, or nil when it cannot match there.
    @inline(__always)
    private func upperLower(_ c: UTF8Cursor, from p: Int) -> Int? {
        // Greedy U*, remembering the end of the last scalar that is also in W: if W+ cannot
        // start after the U run, the engine backs off to just before that scalar.
        var q = p
        var lastLowerEnd = -1
        while q < c.count {
            let (_, b, nl) = c.classified(at: q)
            if b & ScalarClass.upperish == 0 { break }
            q += nl
            if b & ScalarClass.lowerish != 0 { lastLowerEnd = q }
        }
        if q < c.count {
            let (_, b, _) = c.classified(at: q)
            if b & ScalarClass.lowerish != 0 {
                let r = c.runEnd(from: q, mask: ScalarClass.lowerish)
                return r + contractionLength(c, at: r)
            }
        }
        guard lastLowerEnd >= 0 else { return nil }
        return lastLowerEnd + contractionLength(c, at: lastLowerEnd)
    }

    /// `U+W*C?` from `p`, or nil when it cannot match there.
    @inline(__always)
    private func upperThenLower(_ c: UTF8Cursor, from p: Int) -> Int? {
        let q = c.runEnd(from: p, mask: ScalarClass.upperish)
        guard q > p else { return nil }
        let r = c.runEnd(from: q, mask: ScalarClass.lowerish)
        return r + contractionLength(c, at: r)
    }

    /// The length of `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i`, or 0.
    @inline(__always)
    private func contractionLength(_ c: UTF8Cursor, at i: Int) -> Int {
        guard i + 1 < c.count, c.base[i] == 0x27 else { return 0 }
        let (v2, l2) = c.scalar(at: i + 1)
        let lo2 = PreTokenizerRules.lower(v2)
        if PreTokenizerRules.isS(v2) || lo2 == 0x74 || lo2 == 0x6D || lo2 == 0x64 { return 1 + l2 }
        guard i + 1 + l2 < c.count else { return 0 }
        let lo3 = PreTokenizerRules.lower(c.scalar(at: i + 1 + l2).value)
        if (lo2 == 0x72 && lo3 == 0x65) || (lo2 == 0x76 && lo3 == 0x65) || (lo2 == 0x6C && lo3 == 0x6C) {
            return 2 + l2
        }
        return 0
    }
}
