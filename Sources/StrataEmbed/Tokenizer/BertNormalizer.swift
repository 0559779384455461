import Foundation

/// The text clean-up of BERT's uncased tokenizer, as Hugging Face's `BertNormalizer` does it
/// (clean text, Chinese characters, accent stripping, lowercasing), in that order:
///
/// 1. NUL, U+FFFD and "other" characters (categories Cc, Cf, Cs, Co, Cn; but tab, newline and
///    carriage return) are removed; every white-space character becomes a space.
/// 2. Each CJK ideograph is surrounded by spaces, so it becomes a word of its own.
/// 3. Accents are stripped: the text is decomposed (NFD, never recomposed) and nonspacing
///    marks (Mn) are removed.
/// 4. Every scalar is lowercased by its full Unicode mapping (`İ` → `i̇`), one scalar at a time.
///
/// Pure; the only Foundation call is the canonical decomposition, skipped for ASCII text.
public enum BertNormalizer {
    /// The normalized scalars of `text`.
    public static func normalize(_ text: String) -> [Unicode.Scalar] {
        var cleaned: [Unicode.Scalar] = []
        cleaned.reserveCapacity(text.utf8.count)
        var ascii = true
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                // ASCII: controls other than tab, newline and CR go; those three become spaces.
                if value == 0x09 || value == 0x0A || value == 0x0D || value == 0x20 {
                    cleaned.append(" ")
                } else if value >= 0x21 && value < 0x7F {
                    cleaned.append(scalar)
                }
                continue
            }
            ascii = false
            if value == 0xFFFD || isOther(scalar) { continue }
            if scalar.properties.isWhitespace {
                cleaned.append(" ")
            } else if isChineseCharacter(value) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        if ascii {
            return cleaned.map { $0.value >= 0x41 && $0.value <= 0x5A ? Unicode.Scalar($0.value + 0x20)! : $0 }
        }
        var text = String()
        text.unicodeScalars.append(contentsOf: cleaned)
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(cleaned.count)
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark {
            if scalar.value < 0x80 {
                result.append(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value + 0x20)! : scalar)
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return result
    }

    /// Categories Cc, Cf, Cs, Co and Cn: what the reference removes as control characters.
    static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }

    /// The CJK Unified Ideographs blocks BERT treats as words of their own (not Hangul, not kana).
    static func isChineseCharacter(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value) || (0x20000...0x2A6DF).contains(value)
            || (0x2A700...0x2B73F).contains(value) || (0x2B740...0x2B81F).contains(value)
            || (0x2B820...0x2CEAF).contains(value) || (0xF900...0xFAFF).contains(value)
            || (0x2F800...0x2FA1F).contains(value)
    }
}
