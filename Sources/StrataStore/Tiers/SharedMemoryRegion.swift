#if canImport(Glibc)
import Glibc
#endif
import CStrataSupport
import StrataCore

/// One POSIX shared-memory object mapped into this process: the single owner of its file
/// descriptor and mapping (`close()` or `deinit` unmaps; the object itself stays in /dev/shm
/// for the next start until `unlink(name:)`).
///
/// The object is locked with `flock` while mapped so two workers cannot attach the same warm
/// tier. It has its full size but holds memory only where it was reserved: the first
/// `reservedPrefix` bytes at every open, other ranges through `reserve(offset:length:)` before
/// their first use, and `release(offset:length:)` gives a range's memory back. Reserving first
/// matters: a write into a page of a tmpfs with no room left kills the process with SIGBUS,
/// while a failed reservation is an error the caller can handle.
final class SharedMemoryRegion {
    let name: String
    let size: Int
    private(set) var base: UnsafeMutableRawPointer?
    private var descriptor: Int32
    /// True when the object was created (or had another size) at this open, so its contents
    /// are zeros.
    let createdEmpty: Bool
    private let reservedPrefix: Int
    private let reserver: SharedMemoryReserver

    /// Opens `name` (a shared-memory object name such as "/strata-warm"), creating it or
    /// emptying it to `size` bytes when it does not have that size, reserves its first
    /// `reservedPrefix` bytes and maps it.
    init(name: String, size: Int, reservedPrefix: Int = 0, reserver: SharedMemoryReserver = .system) throws(StrataError) {
        self.name = name
        self.size = size
        self.reservedPrefix = min(max(reservedPrefix, 0), size)
        self.reserver = reserver
        let fd = try Self.openLocked(name)
        descriptor = fd
        do throws(StrataError) {
            var status = stat()
            guard fstat(fd, &status) == 0 else { throw Self.systemError("fstat(\(name))") }
            if Int(status.st_size) != size {
                // Down to zero first, so nothing of an object of another geometry survives.
                try Self.truncate(fd, name: name, to: 0)
                try Self.truncate(fd, name: name, to: size)
                createdEmpty = true
            } else {
                createdEmpty = false
            }
            try reservePrefix(fd)
            base = try Self.map(fd, name: name, size: size)
        } catch {
            flock(fd, LOCK_UN)
            Glibc.close(fd)
            throw error
        }
    }

    deinit { close() }

    /// Throws away the contents: the object is truncated to zero and grown back, so every byte
    /// reads as zero and every page goes back to the kernel; the prefix is reserved again.
    func discardContents() throws(StrataError) {
        guard let mapped = base else { throw StrataError(.failedPrecondition, "warm tier \(name) is closed") }
        munmap(mapped, size)
        base = nil
        try Self.truncate(descriptor, name: name, to: 0)
        try Self.truncate(descriptor, name: name, to: size)
        try reservePrefix(descriptor)
        base = try Self.map(descriptor, name: name, size: size)
    }

    /// Reserves the memory of [offset, offset + length) before its first use: 0, or the errno
    /// (ENOSPC: the tmpfs is full). Reserving a range that holds memory already changes nothing.
    func reserve(offset: Int, length: Int) -> Int32 {
        guard descriptor >= 0 else { return EBADF }
        return reserver.reserve(descriptor, offset, length)
    }

    /// Gives the memory of [offset, offset + length) back: the range reads as zeros and must be
    /// reserved again before its next use. False when the kernel refused (the memory then stays
    /// reserved, which is safe).
    @discardableResult
    func release(offset: Int, length: Int) -> Bool {
        guard descriptor >= 0 else { return false }
        return strata_punch_hole(descriptor, Int64(offset), Int64(length)) == 0
    }

    /// Unmaps and releases the lock; the contents stay in the object for the next open.
    func close() {
        if let mapped = base {
            munmap(mapped, size)
            base = nil
        }
        if descriptor >= 0 {
            // Unlock explicitly: a child process spawned meanwhile may hold a copy of this
            // descriptor, and the lock lives as long as any copy does.
            flock(descriptor, LOCK_UN)
            Glibc.close(descriptor)
            descriptor = -1
        }
    }

    /// Removes the object from /dev/shm. Absent objects are fine (idempotent cleanup).
    static func unlink(name: String) throws(StrataError) {
        guard shm_unlink(name) == 0 || errno == ENOENT else { throw systemError("shm_unlink(\(name))") }
    }

    /// Removes the object unless a process has it mapped (its `flock` is held): true when it
    /// was removed, false when there was none; throws `failedPrecondition` while attached.
    static func unlinkIfDetached(name: String) throws(StrataError) -> Bool {
        let fd = shm_open(name, O_RDWR, 0)
        guard fd >= 0 else {
            if errno == ENOENT { return false }
            throw systemError("shm_open(\(name))")
        }
        defer { Glibc.close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw StrataError(.failedPrecondition, "warm tier \(name) is attached by a running worker; stop it first")
        }
        try unlink(name: name)
        return true
    }

    // MARK: System calls

    /// Opens (or creates) the object and takes its lock. A lister or a reclaiming worker holds
    /// the lock for a moment only, so a busy lock is retried for a second before it counts as
    /// another worker's; an object removed between the open and the lock is opened afresh.
    private static func openLocked(_ name: String) throws(StrataError) -> Int32 {
        let deadline = ContinuousClock.now + .seconds(1)
        while true {
            let fd = shm_open(name, O_RDWR | O_CREAT, 0o600)
            guard fd >= 0 else { throw systemError("shm_open(\(name))") }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                let code = errno
                Glibc.close(fd)
                guard code == EWOULDBLOCK, ContinuousClock.now < deadline else {
                    throw StrataError(.failedPrecondition, "warm tier \(name) is attached by another process (flock: \(String(cString: strerror(code))))")
                }
                usleep(10_000)
                continue
            }
            var status = stat()
            guard fstat(fd, &status) == 0 else {
                let error = systemError("fstat(\(name))")
                Glibc.close(fd)
                throw error
            }
            if status.st_nlink == 0 {
                Glibc.close(fd)
                continue
            }
            return fd
        }
    }

    private func reservePrefix(_ fd: Int32) throws(StrataError) {
        guard reservedPrefix > 0 else { return }
        let result = reserver.reserve(fd, 0, reservedPrefix)
        guard result == 0 else {
            throw StrataError(
                .resourceExhausted,
                "warm tier \(name) cannot reserve \(reservedPrefix) bytes of shared memory for its header (\(String(cString: strerror(result)))); /dev/shm is full")
        }
    }

    private static func truncate(_ fd: Int32, name: String, to size: Int) throws(StrataError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw systemError("ftruncate(\(name), \(size))") }
    }

    private static func map(_ fd: Int32, name: String, size: Int) throws(StrataError) -> UnsafeMutableRawPointer {
        let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let pointer, pointer != UnsafeMutableRawPointer(bitPattern: -1) else { throw systemError("mmap(\(name), \(size))") }
        return pointer
    }

    private static func systemError(_ call: String) -> StrataError {
        let code = errno
        let kind: StrataError.Code = (code == ENOSPC || code == ENOMEM || code == EMFILE || code == ENFILE) ? .resourceExhausted : .internal
        return StrataError(kind, "warm tier: \(call) failed: \(String(cString: strerror(code)))")
    }
}
