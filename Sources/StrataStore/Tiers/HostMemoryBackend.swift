import StrataCore

/// The hot tier's backend on a machine without a GPU: blocks in host memory from the system
/// allocator. Reported as `backend: host` so the status never pretends to be a GPU.
public final class HostMemoryBackend: HotTierBackend {
    public let name = "host"

    public init() {}

    public func allocate(byteCount: Int) throws(StrataError) -> HotBlock {
        guard byteCount >= 0 else { throw .invalidArgument("hot block byteCount is \(byteCount), must be >= 0") }
        // One byte minimum so every block has a distinct, freeable address.
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 16)
        return HotBlock(address: UInt64(UInt(bitPattern: pointer)), byteCount: byteCount)
    }

    public func store(_ bytes: UnsafeRawBufferPointer, into block: HotBlock) {
        precondition(bytes.count <= block.byteCount, "HostMemoryBackend.store: \(bytes.count) bytes into a \(block.byteCount)-byte block")
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        pointer(of: block).copyMemory(from: source, byteCount: bytes.count)
    }

    public func load(_ block: HotBlock, into destination: UnsafeMutableRawBufferPointer) {
        precondition(destination.count <= block.byteCount, "HostMemoryBackend.load: \(destination.count) bytes from a \(block.byteCount)-byte block")
        guard let target = destination.baseAddress, !destination.isEmpty else { return }
        target.copyMemory(from: pointer(of: block), byteCount: destination.count)
    }

    public func free(_ block: HotBlock) {
        pointer(of: block).deallocate()
    }

    private func pointer(of block: HotBlock) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: UInt(block.address))!
    }
}
