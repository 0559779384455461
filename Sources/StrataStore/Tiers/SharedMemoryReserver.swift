#if canImport(Glibc)
import Glibc
#endif

/// How a shared-memory region reserves the memory behind a range of its object before the
/// range is first written. The system reserver is `posix_fallocate`: on tmpfs it allocates the
/// pages now, so a later write into the mapping cannot meet a full tmpfs (SIGBUS). Tests put a
/// reserver that refuses in its place to play a full tmpfs without filling the machine's.
struct SharedMemoryReserver: Sendable {
    /// Reserves [offset, offset + length) of the object open as `descriptor`: 0, or the errno.
    let reserve: @Sendable (_ descriptor: Int32, _ offset: Int, _ length: Int) -> Int32

    static let system = SharedMemoryReserver { descriptor, offset, length in
        posix_fallocate(descriptor, off_t(offset), off_t(length))
    }
}
