import StrataCore

#if canImport(Glibc)
import Glibc
#endif

/// Page-aligned memory for direct-I/O writes, owned by one `WALWriter` and freed with it.
///
/// O_DIRECT needs the buffer address, the length and the file offset aligned to the device
/// block size; Swift arrays are only 16-byte aligned, so the WAL stages each write here.
final class AlignedBuffer {
    let alignment: Int
    private(set) var pointer: UnsafeMutableRawPointer
    private(set) var capacity: Int

    init(alignment: Int, capacity: Int) {
        self.alignment = alignment
        self.capacity = max(alignment, capacity)
        self.pointer = Self.allocate(alignment: alignment, capacity: self.capacity)
    }

    deinit { free(pointer) }

    /// Grows to at least `minimum` bytes, keeping the first `keeping` bytes.
    func reserve(_ minimum: Int, keeping: Int) {
        guard minimum > capacity else { return }
        var grown = capacity
        while grown < minimum { grown *= 2 }
        let fresh = Self.allocate(alignment: alignment, capacity: grown)
        fresh.copyMemory(from: pointer, byteCount: keeping)
        free(pointer)
        pointer = fresh
        capacity = grown
    }

    private static func allocate(alignment: Int, capacity: Int) -> UnsafeMutableRawPointer {
        var raw: UnsafeMutableRawPointer?
        // Failing to get a few megabytes means the process is out of memory anyway.
        guard posix_memalign(&raw, alignment, capacity) == 0, let raw else { fatalError("out of memory (aligned WAL buffer)") }
        return raw
    }
}
