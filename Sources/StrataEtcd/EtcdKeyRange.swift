/// Key ranges as etcd names them: a single key, `[key, rangeEnd)`, or every key with a prefix.
public enum EtcdKeyRange {
    /// The `range_end` that selects every key starting with `prefix`: the prefix with its last
    /// byte below 0xff incremented and what follows dropped; `[0]` ("\0", every key from
    /// `key` on) when the prefix is empty or all 0xff bytes.
    public static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}

