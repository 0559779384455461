/// A block of hot-tier memory handed out by a `HotTierBackend`.
///
/// `address` is opaque to everything but the backend that made it: a host pointer's bit
/// pattern for `HostMemoryBackend`, a `CUdeviceptr` for a CUDA backend.
public struct HotBlock: Sendable, Hashable {
    public var address: UInt64
    public var byteCount: Int

    public init(address: UInt64, byteCount: Int) {
        self.address = address
        self.byteCount = byteCount
    }
}
