/// Comparisons whose duration does not depend on where two secrets differ, so a caller who
/// times many guesses learns nothing about the right one.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes. Looks at every byte of both, whatever it
    /// finds; only the lengths (public for digests of fixed size) end it early.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}
