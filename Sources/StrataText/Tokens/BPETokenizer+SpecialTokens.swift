extension BPETokenizer {
    /// Encodes `text` recognizing every special-token string (tiktoken's
    /// `encode(text, allowed_special="all")`): each occurrence becomes its special id and the
    /// text between occurrences is encoded ordinarily. Use it for prompts Strata itself
    /// assembles from trusted templates, never to count user documents.
    public func encodeRecognizingSpecialTokens(_ text: String) -> [Int] {
        var ids: [Int] = []
        var rest = text[...]
        while let (range, id) = firstSpecial(in: rest) {
            ids.append(contentsOf: encode(rest[rest.startIndex..<range.lowerBound]))
            ids.append(id)
            rest = rest[range.upperBound...]
        }
        ids.append(contentsOf: encode(rest))
        return ids
    }

    /// The earliest special token in `text` (the longest one on a tie) and its id.
    private func firstSpecial(in text: Substring) -> (Range<Substring.Index>, Int)? {
        var best: (Range<Substring.Index>, Int)?
        for (special, id) in encoding.specialTokens {
            // Search bytes, not Characters: the regex tiktoken uses matches scalars, so a special
            // token followed by a combining mark still counts.
            guard let range = text.utf8.firstRange(of: special.utf8) else { continue }
            if let current = best {
                let earlier = range.lowerBound < current.0.lowerBound
                let longerTie = range.lowerBound == current.0.lowerBound && range.upperBound > current.0.upperBound
                if !(earlier || longerTie) { continue }
            }
            best = (range, id)
        }
        return best
    }
}
