import StrataCore

/// Where the hot tier keeps its bytes: device memory behind an interface.
///
/// The hot tier only ever copies whole entries in (`store`) and out (`load`) through a host
/// staging buffer, which is exactly what a device backend can do (`cudaMemcpy` host-to-device
/// and back) and costs one `memcpy` on the host backend. Blocks are owned by the hot tier: it
/// frees every block it allocates. Calls come from one thread at a time (the hierarchy's lock),
/// so a backend needs no locking of its own.
public protocol HotTierBackend: AnyObject {
    /// Reported as `TierStats.backend` of the hot tier: "host", "cuda".
    var name: String { get }

    /// A block of at least `byteCount` bytes. Throws `resourceExhausted` when the device is full.
    func allocate(byteCount: Int) throws(StrataError) -> HotBlock

    /// Copies `bytes` (at most `block.byteCount`) into the block.
    func store(_ bytes: UnsafeRawBufferPointer, into block: HotBlock)

    /// Copies the block's first `destination.count` bytes into `destination`.
    func load(_ block: HotBlock, into destination: UnsafeMutableRawBufferPointer)

    /// Returns the block to the backend. The block must not be used afterwards.
    func free(_ block: HotBlock)
}
