import CStrataProto
import Foundation
import StrataRPC

/// Owns the C memory of one protobuf-c message tree while it is built for packing.
///
/// protobuf-c messages point at C strings, arrays and sub-messages; the arena allocates them,
/// and frees them all at once when the encoding is done. Nothing built here escapes
/// `WireArena.encode`.
package final class WireArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit {
        for pointer in allocations { free(pointer) }
    }

    /// A NUL-terminated copy of `string`.
    package func string(_ string: String) -> UnsafeMutablePointer<CChar> {
        let pointer = strdup(string)!
        allocations.append(pointer)
        return pointer
    }

    /// A C array holding `values` (nil when empty).
    package func array<T>(_ values: [T]) -> UnsafeMutablePointer<T>? {
        guard !values.isEmpty else { return nil }
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: values.count)
        pointer.initialize(from: values, count: values.count)
        allocations.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    /// A heap copy of a sub-message.
    package func message<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        pointer.initialize(to: value)
        allocations.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    /// An array of pointers to heap copies of sub-messages (protobuf-c's repeated messages).
    package func messages<T>(_ values: [T]) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?>? {
        array(values.map { Optional(message($0)) })
    }

    /// Bytes as protobuf-c binary data.
    package func bytes(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        guard let pointer = array(bytes) else { return ProtobufCBinaryData(len: 0, data: nil) }
        return ProtobufCBinaryData(len: bytes.count, data: pointer)
    }

    /// Builds a message with `build`, then packs it with protobuf-c.
    package static func encode<T>(
        _ build: (WireArena) -> T,
        size: (UnsafePointer<T>) -> Int,
        pack: (UnsafePointer<T>, UnsafeMutablePointer<UInt8>) -> Int
    ) -> [UInt8] {
        let arena = WireArena()
        var message = build(arena)
        return withUnsafePointer(to: &message) { pointer in
            let length = size(pointer)
            return [UInt8](unsafeUninitializedCapacity: max(length, 1)) { buffer, count in
                count = length > 0 ? pack(pointer, buffer.baseAddress!) : 0
            }
        }
    }
}

/// Reading unpacked protobuf-c messages into Swift values, with validation at the edge.
package enum WireReader {
    /// Unpacks `bytes` with protobuf-c, reads the result with `read`, and frees it.
    /// Malformed bytes become INVALID_ARGUMENT naming the message.
    package static func decode<T, R>(
        _ bytes: [UInt8], _ name: String,
        unpack: (Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<T>?,
        free: (UnsafeMutablePointer<T>) -> Void,
        _ read: (T) throws -> R
    ) throws -> R {
        let message = bytes.withUnsafeBufferPointer { unpack($0.count, $0.baseAddress) }
        guard let message else {
            throw RPCError(.invalidArgument, "malformed \(name) message (\(bytes.count) bytes are not a valid protobuf encoding)")
        }
        defer { free(message) }
        let nulField = message.withMemoryRebound(to: ProtobufCMessage.self, capacity: 1) { base in
            bytes.withUnsafeBufferPointer { WireNulScan.firstStringWithNul($0, descriptor: base.pointee.descriptor) }
        }
        if let nulField {
            throw RPCError(.invalidArgument, "\(nulField) contains a NUL character (U+0000), which Strata does not accept in text")
        }
        return try read(message.pointee)
    }

    /// A string field, which must be valid UTF-8.
    package static func string(_ pointer: UnsafeMutablePointer<CChar>?, field: String) throws -> String {
        guard let pointer else { return "" }
        guard let string = String(validatingCString: pointer) else {
            throw RPCError(.invalidArgument, "\(field) is not valid UTF-8")
        }
        return string
    }

    /// A repeated scalar field.
    package static func array<T>(_ pointer: UnsafeMutablePointer<T>?, _ count: Int) -> [T] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// A repeated message field.
    package static func messages<T, R>(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, _ count: Int, _ read: (T) throws -> R) rethrows -> [R] {
        guard let pointer, count > 0 else { return [] }
        return try UnsafeBufferPointer(start: pointer, count: count).compactMap { try $0.map { try read($0.pointee) } }
    }

    /// A bytes field.
    package static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard let pointer = data.data, data.len > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: data.len))
    }
}
