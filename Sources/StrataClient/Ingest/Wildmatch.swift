/// Git's wildmatch over UTF-8 bytes, path-aware: `*` and `?` never match `/`, `[...]`
/// matches one character of a class (`[!a-z]` or `[^a-z]` negates), `\` escapes the next
/// character, and `**` between slashes (or at either end) matches any number of directories:
/// `**/x` matches `x` at any depth, `a/**` everything inside `a`, `a/**/b` `a/b`, `a/x/y/b`.
public enum Wildmatch {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(Array(pattern.utf8), 0, Array(text.utf8), 0)
    }

    static func matches(_ p: [UInt8], _ pi: Int, _ t: [UInt8], _ ti: Int) -> Bool {
        let slash = UInt8(ascii: "/"), star = UInt8(ascii: "*")
        var pi = pi, ti = ti
        while pi < p.count {
            switch p[pi] {
            case UInt8(ascii: "?"):
                guard ti < t.count, t[ti] != slash else { return false }
                pi += 1
                ti += 1
            case star:
                var end = pi
                while end < p.count && p[end] == star { end += 1 }
                let doubled = end - pi >= 2 && (pi == 0 || p[pi - 1] == slash) && (end == p.count || p[end] == slash)
                if doubled {
                    if end == p.count { return true }
                    // "**/": zero directories, or skip whole leading directories of the text.
                    if matches(p, end + 1, t, ti) { return true }
                    var k = ti
                    while k < t.count {
                        if t[k] == slash && matches(p, end + 1, t, k + 1) { return true }
                        k += 1
                    }
                    return false
                }
                pi = end
                if pi == p.count { return !t[ti...].contains(slash) }
                var k = ti
                while k <= t.count {
                    if matches(p, pi, t, k) { return true }
                    if k < t.count && t[k] == slash { return false }
                    k += 1
                }
                return false
            case UInt8(ascii: "["):
                guard ti < t.count, t[ti] != slash, let (matched, next) = matchClass(p, pi, t[ti]) else {
                    // An unclosed bracket is a literal "[".
                    if ti < t.count, t[ti] == UInt8(ascii: "["), matchClass(p, pi, 0) == nil {
                        pi += 1
                        ti += 1
                        continue
                    }
                    return false
                }
                guard matched else { return false }
                pi = next
                ti += 1
            case UInt8(ascii: "\\") where pi + 1 < p.count:
                guard ti < t.count, t[ti] == p[pi + 1] else { return false }
                pi += 2
                ti += 1
            default:
                guard ti < t.count, t[ti] == p[pi] else { return false }
                pi += 1
                ti += 1
            }
        }
        return ti == t.count
    }

    /// Matches `byte` against the class opening at `p[start]`; nil when the class is unclosed.
    private static func matchClass(_ p: [UInt8], _ start: Int, _ byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < p.count && (p[i] == UInt8(ascii: "!") || p[i] == UInt8(ascii: "^")) {
            negated = true
            i += 1
        }
        var matched = false
        var first = true
        while i < p.count {
            var low = p[i]
            if low == UInt8(ascii: "]") && !first { return (matched != negated, i + 1) }
            first = false
            if low == UInt8(ascii: "\\") && i + 1 < p.count {
                i += 1
                low = p[i]
            }
            if i + 2 < p.count && p[i + 1] == UInt8(ascii: "-") && p[i + 2] != UInt8(ascii: "]") {
                let high = p[i + 2]
                if byte >= low && byte <= high { matched = true }
                i += 3
            } else {
                if byte == low { matched = true }
                i += 1
            }
        }
        return nil
    }
}
