import StrataCore

/// Counting text joined from parts whose counts are known, without tokenizing it all again
/// (context assembly counts every passage, then the passages joined by blank lines).
///
/// Why it is exact, for `cl100k_base` (its pre-tokenizer, `CL100kPreTokenizer`, only looks
/// forward, so tokenization restarts cleanly at any piece boundary): call a byte offset `b`
/// of a text a *cut* when the byte before it is LF and, from `b`, a run of whitespace without
/// CR or LF (possibly empty) is followed by a non-whitespace scalar `c` within the text. The
/// piece holding that LF ends at `b` -- a whitespace piece ends after its run's last CR or
/// LF, as the run goes on to `c` and not to the end of the text; a punctuation piece takes
/// CR and LF bytes only; no other alternative takes LF -- and every choice before `b` looked
/// at no byte past `c`. So the pieces before a cut do not change with what follows the text,
/// and the pieces after it are those of the text from `b` alone. Hence:
///
/// - `count(part + separator) = count(part) - count(tail) + count(tail + separator)`, with
///   `tail` the part from its last cut (the whole part when it has none);
/// - when the separator ends with LF and the next part starts with a non-whitespace scalar,
///   the join is a cut of the joined text and the pieces of `part + separator` are the same
///   as alone: their last whitespace run ends in LF, so it ends at the cut either way
///   (`\s*[\r\n]` in the text, `\s++$` alone), and a punctuation piece's CR/LF bytes stop at
///   the next part or at the end alike.
///
/// `o200k_base` lets punctuation pieces take `/` after line breaks, so a cut is not a
/// boundary there; it (and any join the conditions do not cover) counts the joined text.
extension BPETokenizer {
    public func countTokens(joining parts: [Substring], partTokens: [Int], separator: String) -> Int {
        guard encoding.pattern == .cl100k, separator.utf8.last == 0x0A, parts.count == partTokens.count,
              parts.dropFirst().allSatisfy(Self.startsWithNonWhitespace) else {
            return countTokens(parts.joined(separator: separator)[...])
        }
        var total = 0
        for i in parts.indices {
            guard i < parts.count - 1 else {
                total += partTokens[i]
                break
            }
            let part = parts[i]
            if let cut = Self.lastCut(part) {
                let tail = part[part.utf8.index(part.startIndex, offsetBy: cut)...]
                total += partTokens[i] - countTokens(tail) + countTokens(String(tail) + separator)
            } else {
                total += countTokens(String(part) + separator)
            }
        }
        return total
    }

    static func startsWithNonWhitespace(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        return ScalarClassTable.shared.classOf(first.value) & ScalarClass.whitespace == 0
    }

    /// The byte offset of the text's last cut (see above), or nil when it has none.
    static func lastCut(_ text: Substring) -> Int? {
        var text = text
        return text.withUTF8 { buffer -> Int? in
            let cursor = UTF8Cursor(buffer)
            var k = buffer.count - 1
            while k >= 0 {
                defer { k -= 1 }
                guard buffer[k] == 0x0A else { continue }
                var j = k + 1
                while j < cursor.count {
                    let (_, bits, length) = cursor.classified(at: j)
                    if bits & ScalarClass.whitespace == 0 { return k + 1 }
                    if bits & ScalarClass.newline != 0 { break }
                    j += length
                }
            }
            return nil
        }
    }
}
