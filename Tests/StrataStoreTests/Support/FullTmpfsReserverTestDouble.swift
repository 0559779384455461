#if canImport(Glibc)
import Glibc
#endif
import Synchronization
@testable import StrataStore

/// Plays a tmpfs that fills up: the first `allowed` reservations go to `posix_fallocate` for
/// real, every later one is refused with ENOSPC (as a full /dev/shm refuses), without filling
/// the machine's /dev/shm.
final class FullTmpfsReserverTestDouble: Sendable {
    private let allowed: Int
    private let calls = Mutex(0)

    init(allowed: Int) { self.allowed = allowed }

    /// Reservations asked for so far, refused ones included.
    var requests: Int { calls.withLock { $0 } }

    var reserver: SharedMemoryReserver {
        SharedMemoryReserver { [self] descriptor, offset, length in
            let call = calls.withLock { count -> Int in
                count += 1
                return count
            }
            return call <= allowed ? posix_fallocate(descriptor, off_t(offset), off_t(length)) : ENOSPC
        }
    }
}
