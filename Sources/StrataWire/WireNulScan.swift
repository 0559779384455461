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
        while offset < end {
            let fieldStart = offset
            guard let tag = varint(base, &offset, end) else { return nil }
            switch tag & 7 {
            case 0: guard varint(base, &offset, end) != nil else { return nil }
            case 1: offset += 8
            case 5: offset += 4
            case 2:
                guard let length = varint(base, &offset, end), length <= UInt64(end - offset) else { return nil }
                let payload = offset
                offset += Int(length)
                let number = UInt32(truncatingIfNeeded: tag >> 3)
                guard let field = protobuf_c_message_descriptor_get_field(descriptor, number) else { continue }
                let inner: String?
                switch field.pointee.type {
                case PROTOBUF_C_TYPE_STRING:
                    inner = memchr(base + payload, 0, Int(length)) != nil ? "" : nil
                case PROTOBUF_C_TYPE_MESSAGE where depth < maxDepth:
                    inner = field.pointee.descriptor.flatMap {
                        scan(base, payload, payload + Int(length), $0.assumingMemoryBound(to: ProtobufCMessageDescriptor.self), depth: depth + 1)
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
            default:
                return nil  // groups: no Strata message has them, and protobuf-c accepted the bytes
            }
        }
        return nil
    }

    /// How many length-delimited occurrences of field `number` lie in `start..<end`.
    private static func occurrences(of number: UInt32, in base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var offset = start
        var count = 0
        while offset < end, let tag = varint(base, &offset, end) {
            switch tag & 7 {
            case 0: _ = varint(base, &offset, end)
            case 1: offset += 8
            case 5: offset += 4
            case 2:
                guard let length = varint(base, &offset, end) else { return count }
                offset += Int(length)
                if UInt32(truncatingIfNeeded: tag >> 3) == number { count += 1 }
            default: return count
            }
        }
        return count
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
