#if canImport(Glibc)
import Glibc
#endif
import StrataCore

/// A file mapped read-only into this process (the single owner of the mapping: `deinit`
/// unmaps), so a search-index snapshot is checked and decoded where the page cache holds it
/// instead of being read into a buffer first. Read-only and never changed after `init`, so
/// threads may share it.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    /// Maps the whole file; nil when it cannot be opened or mapped (the caller rebuilds), or
    /// when it is empty.
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_size > 0 else { return nil }
        let size = Int(status.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}
