import CStrataProto
import StrataCore
import StrataRPC

// Reading nested fields with the field path of each value ("documents[3].chunks[0].text"),
// so that bad input is reported exactly. Paths are closures: they are only rendered when an
// error is thrown, which keeps decoding large batches free of string building.
extension WireReader {
    /// `prefix.field`, or `field` at the top level.
    package static func join(_ prefix: () -> String, _ field: String) -> String {
        let head = prefix()
        return head.isEmpty ? field : "\(head).\(field)"
    }

    /// A string field, which must be valid UTF-8; errors name `path`.
    package static func string(_ pointer: UnsafeMutablePointer<CChar>?, at path: @autoclosure () -> String) throws -> String {
        guard let pointer else { return "" }
        guard let string = String(validatingCString: pointer) else {
            throw RPCError(.invalidArgument, "\(path()) is not valid UTF-8")
        }
        return string
    }

    /// A repeated string field; each element must be valid UTF-8 ("terms[2]").
    package static func strings(
        _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int,
        at prefix: () -> String, _ field: String
    ) throws -> [String] {
        guard let pointer, count > 0 else { return [] }
        var result: [String] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            result.append(try string(pointer[index], at: "\(join(prefix, field))[\(index)]"))
        }
        return result
    }

    /// A repeated message field; `read` gets each element's path ("documents[3]").
    package static func messages<T, R>(
        _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int,
        at prefix: () -> String, _ field: String,
        _ read: (T, () -> String) throws -> R
    ) throws -> [R] {
        guard let pointer, count > 0 else { return [] }
        var result: [R] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let element = pointer[index] else { continue }
            // The path closure only lives for this call; the exclusivity checker cannot see that.
            let value = try withoutActuallyEscaping(prefix) { prefix in
                try read(element.pointee, { "\(join(prefix, field))[\(index)]" })
            }
            result.append(value)
        }
        return result
    }

    /// An optional sub-message; absent (NULL) reads as `absent`, as proto3 defaults it.
    package static func message<T, R>(
        _ pointer: UnsafeMutablePointer<T>?, at prefix: () -> String, _ field: String,
        absent: @autoclosure () -> R, _ read: (T, () -> String) throws -> R
    ) throws -> R {
        guard let pointer else { return absent() }
        return try withoutActuallyEscaping(prefix) { prefix in try read(pointer.pointee, { join(prefix, field) }) }
    }

    /// A sub-message that must be present.
    package static func required<T, R>(
        _ pointer: UnsafeMutablePointer<T>?, at prefix: () -> String, _ field: String,
        _ read: (T, () -> String) throws -> R
    ) throws -> R {
        guard let pointer else {
            throw RPCError(.invalidArgument, "\(join(prefix, field)) is missing")
        }
        return try withoutActuallyEscaping(prefix) { prefix in try read(pointer.pointee, { join(prefix, field) }) }
    }

    /// A proto enum mapped to a Swift enum with the same numbers; unknown numbers are refused.
    package static func enumeration<E: RawRepresentable>(_ raw: UInt32, at path: @autoclosure () -> String) throws -> E
    where E.RawValue == UInt32 {
        guard let value = E(rawValue: raw) else {
            throw RPCError(.invalidArgument, "\(path()) has unknown value \(Int32(bitPattern: raw))")
        }
        return value
    }

    /// A content hash: exactly 16 big-endian bytes, high word first.
    package static func contentHash(_ data: ProtobufCBinaryData, at path: @autoclosure () -> String) throws -> ContentHash {
        guard data.len == 16, let bytes = data.data else {
            throw RPCError(.invalidArgument, "\(path()) must be 16 bytes (XXH3-128), got \(data.len)")
        }
        func word(_ offset: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { ($0 << 8) | UInt64(bytes[offset + $1]) }
        }
        return ContentHash(high: word(0), low: word(8))
    }

    /// A protobuf-c boolean.
    package static func flag(_ value: protobuf_c_boolean) -> Bool { value != 0 }
}

extension WireArena {
    /// A content hash as 16 big-endian bytes, high word first.
    package func contentHash(_ hash: ContentHash) -> ProtobufCBinaryData {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: hash.high >> (56 - 8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: hash.low >> (56 - 8 * index))
        }
        return self.bytes(bytes)
    }

    /// A repeated string field.
    package func strings(_ values: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        array(values.map { Optional(string($0)) })
    }

    /// A protobuf-c boolean.
    package func flag(_ value: Bool) -> protobuf_c_boolean { value ? 1 : 0 }
}
