import CStrataProto
import StrataRPC

/// The four protobuf-c functions of one message type, so that each Swift message states
/// them once and shares the decode/encode plumbing of `WireReader` and `WireArena`.
/// Package-visible, like `WireReader` and `WireArena`: StrataEtcd maps etcd's messages with
/// the same plumbing.
package struct WireCodec<Message> {
    /// The full proto name, used in "malformed …" errors.
    package let name: String
    package let unpack: (Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<Message>?
    package let free: (UnsafeMutablePointer<Message>) -> Void
    package let size: (UnsafePointer<Message>) -> Int
    package let pack: (UnsafePointer<Message>, UnsafeMutablePointer<UInt8>) -> Int

    package init(
        name: String,
        unpack: @escaping (Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<Message>?,
        free: @escaping (UnsafeMutablePointer<Message>) -> Void,
        size: @escaping (UnsafePointer<Message>) -> Int,
        pack: @escaping (UnsafePointer<Message>, UnsafeMutablePointer<UInt8>) -> Int
    ) {
        self.name = name
        self.unpack = unpack
        self.free = free
        self.size = size
        self.pack = pack
    }

    /// Unpacks `bytes` and reads the top-level message (field paths start at the root).
    package func decode<R>(_ bytes: [UInt8], _ read: (Message, () -> String) throws -> R) throws -> R {
        try WireReader.decode(bytes, name, unpack: unpack, free: free) { try read($0, { "" }) }
    }

    /// Builds the C message tree in an arena and packs it.
    package func encode(_ build: (WireArena) -> Message) -> [UInt8] {
        WireArena.encode(build, size: size, pack: pack)
    }
}
