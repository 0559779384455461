#if canImport(Glibc)
import Glibc
#endif
import StrataCore
import StrataText

/// Tells when anything below a directory changed, for `strata sync --watch`: inotify on
/// Linux (one watch per directory the sync walks, so ignored trees such as `.git/` cost
/// nothing), or, where inotify is missing or out of watches, polling the tree's file names,
/// sizes and modification times every `pollInterval`.
public final class DirectoryWatcher: @unchecked Sendable {
    /// How changes are noticed.
    public enum Mechanism: String, Sendable {
        case inotify
        case polling
    }

    public private(set) var mechanism: Mechanism
    private let root: String
    private let settings: FileBatcherSettings
    private let pollInterval: Duration
    /// The inotify descriptor (non-blocking), or -1 when polling.
    private var descriptor: Int32 = -1
    private var fingerprint: [ScannedFile] = []

    /// `forcePolling` skips inotify (tests of the fallback; file systems it does not see).
    public init(root: String, settings: FileBatcherSettings, pollInterval: Duration = .seconds(2), forcePolling: Bool = false) throws {
        self.root = root
        self.settings = settings
        self.pollInterval = pollInterval
        mechanism = .polling
        #if canImport(Glibc)
        if !forcePolling {
            descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            if descriptor >= 0 { mechanism = .inotify }
        }
        #endif
        try rescan()
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Takes the tree as it is now as the baseline: adds watches for directories created
    /// since the last call (inotify), or records the files' sizes and times (polling).
    public func rescan() throws {
        let scan = try DirectoryScanner(root: root, settings: settings).scan()
        #if canImport(Glibc)
        if mechanism == .inotify {
            let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_ATTRIB)
            for directory in scan.directories where inotify_add_watch(descriptor, directory, mask) < 0 {
                // Out of watches (ENOSPC) or a directory that just vanished: fall back to
                // polling when the limit is the reason.
                if errno == ENOSPC {
                    close(descriptor)
                    descriptor = -1
                    mechanism = .polling
                    break
                }
            }
            drain()
        }
        #endif
        fingerprint = scan.files
    }

    /// Returns once something changed below the root and then nothing more for `quiet`
    /// (a burst of saves becomes one sync).
    public func waitForChange(quiet: Duration) async throws {
        while !(try changed()) { try await Task.sleep(for: mechanism == .inotify ? .milliseconds(50) : pollInterval) }
        while true {
            try await Task.sleep(for: quiet)
            if !(try changed()) { return }
        }
    }

    /// Whether anything changed since the last look (consumes pending events).
    private func changed() throws -> Bool {
        if mechanism == .inotify { return drain() }
        let now = try DirectoryScanner(root: root, settings: settings).scan().files
        defer { fingerprint = now }
        return now != fingerprint
    }

    /// Reads every pending inotify event; true when there was one.
    @discardableResult
    private func drain() -> Bool {
        #if canImport(Glibc)
        var any = false
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got <= 0 { return any }
            any = true
        }
        #else
        return false
        #endif
    }
}
