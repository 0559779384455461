/// Reads Unicode scalars straight out of a buffer of valid UTF-8, so the pre-tokenizers can
/// report byte ranges without ever materializing `String` or `Character` values.
///
/// The buffer must be valid UTF-8 (it always comes from a Swift `String`); no validation
/// happens here because it is on the hottest path of tokenization.
struct UTF8Cursor {
    let base: UnsafePointer<UInt8>
    let count: Int
    let classes: ScalarClassTable

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        count = buffer.count
        classes = .shared
    }

    /// The scalar starting at byte `i` (which must be `< count`) and its length in bytes.
    @inline(__always)
    func scalar(at i: Int) -> (value: UInt32, length: Int) {
        let b0 = UInt32(base[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 {
            return ((b0 & 0x1F) << 6 | UInt32(base[i + 1] & 0x3F), 2)
        }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(base[i + 1] & 0x3F) << 6 | UInt32(base[i + 2] & 0x3F), 3)
        }
        return ((b0 & 0x07) << 18 | UInt32(base[i + 1] & 0x3F) << 12
                | UInt32(base[i + 2] & 0x3F) << 6 | UInt32(base[i + 3] & 0x3F), 4)
    }

    /// The class bits (`ScalarClass`) of the scalar at byte `i` and its length in bytes.
    @inline(__always)
    func classified(at i: Int) -> (value: UInt32, bits: UInt8, length: Int) {
        let (v, l) = scalar(at: i)
        return (v, classes.classOf(v), l)
    }

    /// The end of the run of scalars from `i` whose class bits intersect `mask`.
    @inline(__always)
    func runEnd(from i: Int, mask: UInt8) -> Int {
        var j = i
        while j < count {
            let (_, bits, l) = classified(at: j)
            if bits & mask == 0 { break }
            j += l
        }
        return j
    }
}
