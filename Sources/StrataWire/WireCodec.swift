import CStrataProto
import StrataRPC

/// The four protobuf-c functions of one message type, so that each Swift message states
/// them once and shares the decode/encode plumbing of `WireReader` and `WireArena`.
struct WireCodec<Message> {
    /// The full proto name, used in "malformed …" errors.
    let name: String
    let unpack: (Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<Message>?
    let free: (UnsafeMutablePointer<Message>) -> Void
    let size: (UnsafePointer<Message>) -> Int
    let pack: (UnsafePointer<Message>, UnsafeMutablePointer<UInt8>) -> Int

    /// Unpacks `bytes` and reads the top-level message (field paths start at the root).
    func decode<R>(_ bytes: [UInt8], _ read: (Message, () -> String) throws -> R) throws -> R {
        try WireReader.decode(bytes, name, unpack: unpack, free: free) { try read($0, { "" }) }
    }

    /// Builds the C message tree in an arena and packs it.
    func encode(_ build: (WireArena) -> Message) -> [UInt8] {
        WireArena.encode(build, size: size, pack: pack)
    }
}
