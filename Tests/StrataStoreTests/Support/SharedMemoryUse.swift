#if canImport(Glibc)
import Glibc
#endif

/// What a shared-memory object holds in /dev/shm, as the kernel counts it (allocated pages,
/// not the apparent size); -1 when there is no such object.
enum SharedMemoryUse {
    static func allocatedBytes(_ segment: String) -> Int {
        let name = segment.hasPrefix("/") ? String(segment.dropFirst()) : segment
        var status = stat()
        guard stat("/dev/shm/" + name, &status) == 0 else { return -1 }
        return Int(status.st_blocks) * 512
    }

    static func exists(_ segment: String) -> Bool { allocatedBytes(segment) >= 0 }
}
