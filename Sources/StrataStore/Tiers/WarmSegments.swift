#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StrataCore

/// The warm tiers in /dev/shm on this machine: listing them with owner, size and whether a
/// worker has them attached, and reclaiming the orphans (`WarmSegmentState` has the rule).
///
/// Only objects whose name starts with "strata" are looked at. A segment a process has
/// attached is never removed: removal takes the segment's `flock` first, judges it again under
/// the lock, and checks that the name still refers to the object it judged.
public enum WarmSegments {
    /// The file in a store directory that names the store's warm tier.
    public static let markerFile = "warm-segment"
    static let sharedMemoryDirectory = "/dev/shm"
    /// The start of every Strata warm tier's name.
    public static let namePrefix = "strata"

    /// Every Strata warm tier on the machine, sorted by name. `prefix` narrows the listing
    /// (tests use a prefix of their own, so that workers reclaiming orphans at startup in
    /// tests running beside them cannot touch the segments they judge).
    public static func list(prefix: String = namePrefix) -> [WarmSegmentInfo] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sharedMemoryDirectory)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted().compactMap { name in
            let fd = shm_open("/" + name, O_RDONLY, 0)
            guard fd >= 0 else { return nil }
            defer { Glibc.close(fd) }
            return inspect(name: name, descriptor: fd, probeLock: true)
        }
    }

    /// Removes every orphaned warm tier that no process has attached; returns what it removed.
    /// Failures to remove one (permissions, a race with its owner) leave it in place.
    public static func reclaimOrphans(prefix: String = namePrefix) -> [WarmSegmentInfo] {
        list(prefix: prefix).filter { segment in
            guard !segment.attached, case .orphaned = segment.state else { return false }
            return removeIfStillOrphaned(segment.name)
        }
    }

    /// Writes `<storeDirectory>/warm-segment` naming `segmentName` (unless it already does).
    /// Must happen before the segment is attached, so a segment recording the directory is
    /// always named by it.
    static func writeMarker(storeDirectory: String, segmentName: String) throws(StrataError) {
        let path = storeDirectory + "/" + markerFile
        let name = segmentName.hasPrefix("/") ? String(segmentName.dropFirst()) : segmentName
        guard readMarker(storeDirectory: storeDirectory) != name else { return }
        try AtomicFile.replace(path, with: Array((name + "\n").utf8))
    }

    // MARK: Private

    private static func readMarker(storeDirectory: String) -> String? {
        guard let text = try? String(contentsOfFile: storeDirectory + "/" + markerFile, encoding: .utf8) else { return nil }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func inspect(name: String, descriptor fd: Int32, probeLock: Bool) -> WarmSegmentInfo? {
        var status = stat()
        guard fstat(fd, &status) == 0 else { return nil }
        var header = [UInt8](repeating: 0, count: WarmRegionLayout.headerSize)
        // pread of a hole reads zeros without allocating anything.
        let read = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let owner: Result<WarmTierOwner, WarmSegmentHeader.OwnerUnknown> = read == header.count
            ? header.withUnsafeBytes { WarmSegmentHeader.owner(inHeader: $0) }
            : .failure(.init("shorter than a warm tier header"))
        var attached = false
        if probeLock {
            if flock(fd, LOCK_SH | LOCK_NB) == 0 {
                flock(fd, LOCK_UN)
            } else {
                attached = errno == EWOULDBLOCK
            }
        }
        let recorded = try? owner.get()
        var isDirectory: ObjCBool = false
        let exists = recorded.map { !$0.directory.isEmpty && FileManager.default.fileExists(atPath: $0.directory, isDirectory: &isDirectory) && isDirectory.boolValue } ?? false
        let marker = recorded.flatMap { exists ? readMarker(storeDirectory: $0.directory) : nil }
        return WarmSegmentInfo(
            name: name, allocatedBytes: Int(status.st_blocks) * 512, apparentBytes: Int(status.st_size), attached: attached,
            owner: recorded, state: WarmSegmentState.judge(segment: name, owner: owner, directoryExists: exists, marker: marker))
    }

    /// Takes the segment's lock, judges it again and removes it when it is still an orphan and
    /// the name still refers to the same object.
    private static func removeIfStillOrphaned(_ name: String) -> Bool {
        let fd = shm_open("/" + name, O_RDWR, 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        defer { flock(fd, LOCK_UN) }
        guard let again = inspect(name: name, descriptor: fd, probeLock: false), case .orphaned = again.state else { return false }
        var opened = stat()
        var named = stat()
        guard fstat(fd, &opened) == 0, stat(sharedMemoryDirectory + "/" + name, &named) == 0,
            opened.st_ino == named.st_ino, opened.st_dev == named.st_dev
        else { return false }
        return shm_unlink("/" + name) == 0
    }
}
