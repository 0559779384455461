/// Little-endian binary encoder for WAL records, segment blocks and the manifest.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func blob(_ v: [UInt8]) { u32(UInt32(v.count)); bytes.append(contentsOf: v) }
    mutating func blob(_ v: ArraySlice<UInt8>) { u32(UInt32(v.count)); bytes.append(contentsOf: v) }
    mutating func string(_ v: String) {
        // Straight from the string's UTF-8 storage: no temporary array per string.
        var v = v
        v.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: UnsafeRawBufferPointer(utf8))
        }
    }
    mutating func raw(_ v: [UInt8]) { bytes.append(contentsOf: v) }
    mutating func raw(_ v: ArraySlice<UInt8>) { bytes.append(contentsOf: v) }
    mutating func raw(_ v: UnsafeRawBufferPointer) { bytes.append(contentsOf: v) }

    /// Pads with zeros to a multiple of `alignment`.
    mutating func pad(to alignment: Int) {
        let rem = bytes.count % alignment
        if rem != 0 { bytes.append(contentsOf: repeatElement(0, count: alignment - rem)) }
    }
}
