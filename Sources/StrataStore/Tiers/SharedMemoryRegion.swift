#if canImport(Glibc)
import Glibc
#endif
import StrataCore

/// One POSIX shared-memory object mapped into this process: the single owner of its file
/// descriptor and mapping (`close()` or `deinit` unmaps; the object itself stays in /dev/shm
/// for the next start until `unlink(name:)`).
///
/// The object is locked with `flock` while mapped so two workers cannot attach the same warm
/// tier. Its full size is reserved with `posix_fallocate`: a tmpfs that runs out of room
/// would otherwise kill the process with SIGBUS on a later write into the mapping; reserving up
/// front turns that into a clear error at start.
final class SharedMemoryRegion {
    let name: String
    let size: Int
    private(set) var base: UnsafeMutableRawPointer?
    private var descriptor: Int32
    /// True when the object was created (or resized) by this open, so its contents are zeros.
    let createdEmpty: Bool

    /// Opens `name` (a shared-memory object name such as "/strata-warm"), creating it or
    /// resizing it to `size` bytes when it does not have that size, and maps it.
    init(name: String, size: Int) throws(StrataError) {
        self.name = name
        self.size = size
        let fd = shm_open(name, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw Self.systemError("shm_open(\(name))") }
        descriptor = fd
        do throws(StrataError) {
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                throw StrataError(.failedPrecondition, "warm tier \(name) is attached by another process (flock: \(Self.errnoText()))")
            }
            var status = stat()
            guard fstat(fd, &status) == 0 else { throw Self.systemError("fstat(\(name))") }
            if Int(status.st_size) != size {
                try Self.truncate(fd, name: name, to: size)
                // Reserved once, when created: an existing object of the right size was
                // reserved by the start that created it, and reserving again would make the
                // kernel clear every still-unused page on this start's critical path.
                try Self.reserve(fd, name: name, size: size)
                createdEmpty = true
            } else {
                createdEmpty = false
            }
            base = try Self.map(fd, name: name, size: size)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    deinit { close() }

    /// Throws away the contents: the object is truncated to zero and grown back, so every byte
    /// reads as zero and the old pages are returned to the kernel.
    func discardContents() throws(StrataError) {
        guard let mapped = base else { throw StrataError(.failedPrecondition, "warm tier \(name) is closed") }
        munmap(mapped, size)
        base = nil
        try Self.truncate(descriptor, name: name, to: 0)
        try Self.truncate(descriptor, name: name, to: size)
        try Self.reserve(descriptor, name: name, size: size)
        base = try Self.map(descriptor, name: name, size: size)
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

    private static func truncate(_ fd: Int32, name: String, to size: Int) throws(StrataError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw systemError("ftruncate(\(name), \(size))") }
    }

    private static func reserve(_ fd: Int32, name: String, size: Int) throws(StrataError) {
        let result = posix_fallocate(fd, 0, off_t(size))
        guard result == 0 else {
            throw StrataError(
                .resourceExhausted,
                "warm tier \(name) cannot reserve \(size) bytes of shared memory (\(String(cString: strerror(result)))); shrink tiers.warm.capacityBytes or grow /dev/shm")
        }
    }

    private static func map(_ fd: Int32, name: String, size: Int) throws(StrataError) -> UnsafeMutableRawPointer {
        let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let pointer, pointer != UnsafeMutableRawPointer(bitPattern: -1) else { throw systemError("mmap(\(name), \(size))") }
        return pointer
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    private static func systemError(_ call: String) -> StrataError {
        let code = errno
        let kind: StrataError.Code = (code == ENOSPC || code == ENOMEM || code == EMFILE || code == ENFILE) ? .resourceExhausted : .internal
        return StrataError(kind, "warm tier: \(call) failed: \(String(cString: strerror(code)))")
    }
}
