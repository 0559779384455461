import CStrataProto
import Glibc

/// Finds string fields whose wire bytes hold a NUL (U+0000).
///
/// protobuf-c hands string fields to Swift as C strings, which end at the first NUL: a text
/// carrying U+0000 would be read short and stored, acknowledged, without a word. This walks
/// the encoded message with its protobuf-c descriptor (nested messages included) so that such
/// a request is refused by field instead. Unknown fields and non-string fields are skipped;
/// bytes protobuf-c accepted are well-framed, so the walk stops quietly at anything odd.
enum WireNulScan {
    /// Nesting deeper than this is not walked (Strata's messages nest four levels at most).
    static let maxDepth = 32

    /// The path ("documents[2].chunks[0].text") of the first string field holding a NUL
    /// byte, or nil. Cheap when there is no zero byte at all (one memchr).
    static func firstStringWithNul(_ bytes: UnsafeBufferPointer<UInt8>,
                                   descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> String? {
        guard let base = bytes.baseAddress, memchr(base, 0, bytes.count) != nil else { return nil }
        return scan(base, 0, bytes.count, descriptor, depth: 0)
    }

    private static func scan(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                             _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int) -> String? {
        var offset = start
        while true {
            let fieldStart = offset
            guard let (number, payload) = nextField(base, &offset, end) else { return nil }
            guard let payload, let field = protobuf_c_message_descriptor_get_field(descriptor, number) else { continue }
            let inner: String?
            switch field.pointee.type {
            case PROTOBUF_C_TYPE_STRING:
                inner = memchr(base + payload.lowerBound, 0, payload.count) != nil ? "" : nil
            case PROTOBUF_C_TYPE_MESSAGE where depth < maxDepth:
                inner = field.pointee.descriptor.flatMap {
                    scan(base, payload.lowerBound, payload.upperBound, $0.assumingMemoryBound(to: ProtobufCMessageDescriptor.self), depth: depth + 1)
                }
            default:
                inner = nil
            }
            if let inner {
                // The path (and a repeated field's index) is only worked out for the field refused.
                var name = String(cString: field.pointee.name)
                if field.pointee.label == PROTOBUF_C_LABEL_REPEATED {
                    name += "[\(occurrences(of: number, in: base, start, fieldStart))]"
                }
                return inner.isEmpty ? name : name + "." + inner
            }
        }
    }

    /// How many length-delimited occurrences of field `number` lie in `start..<end`.
    private static func occurrences(of number: UInt32, in base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var offset = start
        var count = 0
        while let (field, payload) = nextField(base, &offset, end) {
            if field == number && payload != nil { count += 1 }
        }
        return count
    }

    /// The field at `offset` (its number, and its payload when length-delimited), moving
    /// `offset` past it; nil at the end or at anything malformed or unsupported (groups: no
    /// Strata message has them, and protobuf-c accepted the bytes).
    private static func nextField(_ base: UnsafePointer<UInt8>, _ offset: inout Int, _ end: Int) -> (UInt32, Range<Int>?)? {
        guard offset < end, let tag = varint(base, &offset, end) else { return nil }
        let number = UInt32(truncatingIfNeeded: tag >> 3)
        switch tag & 7 {
        case 0: return varint(base, &offset, end) == nil ? nil : (number, nil)
        case 1: offset += 8
        case 5: offset += 4
        case 2:
            guard let length = varint(base, &offset, end), length <= UInt64(end - offset) else { return nil }
            offset += Int(length)
            return (number, (offset - Int(length))..<offset)
        default: return nil
        }
        return offset <= end ? (number, nil) : nil
    }

    private static func varint(_ base: UnsafePointer<UInt8>, _ offset: inout Int, _ end: Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end && shift < 64 {
            let byte = base[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
