#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StrataCore

/// A file a directory scan found: its document id (its path below the root) and size.
public struct ScannedFile: Sendable, Equatable {
    /// Relative, normalized id (see `DocumentID`).
    public var documentID: String
    /// Where it is.
    public var path: String
    public var size: Int
    /// Last modification, nanoseconds since the epoch (a watcher's polling compares it).
    public var modifiedNanoseconds: Int64
}

/// What a directory scan found: candidate files in id order, and entries skipped with a
/// reason (too large, not a regular file, symbolic link, unreadable). Ignored entries are
/// left out altogether: they are not part of the tree being mirrored.
public struct DirectoryScan: Sendable {
    public var files: [ScannedFile] = []
    public var skipped: [SkippedFile] = []
    /// The directories walked (the root first), not ignored: what a watcher watches.
    public var directories: [String] = []
}

/// Walks one directory as `strata sync` mirrors it: the ingest ignore patterns
/// (`FileBatcherSettings.ignorePatterns`) plus every `.gitignore` below the root, read as git
/// does (see `GitignoreRules`); symbolic links are not followed. Reads no file but the
/// `.gitignore`s, with one `lstat` per entry, so a tree of 10,000 files scans in milliseconds.
public struct DirectoryScanner: Sendable {
    public let root: String
    public let settings: FileBatcherSettings
    private let patterns: [IgnorePattern]

    /// Throws `invalidArgument` for bad settings and `notFound` when `root` is not a directory.
    public init(root: String, settings: FileBatcherSettings = .default) throws {
        try settings.validate()
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw StrataError.notFound("directory \(root) does not exist")
        }
        self.root = root
        self.settings = settings
        self.patterns = try settings.ignorePatterns.map(IgnorePattern.init)
    }

    public func scan() -> DirectoryScan {
        var scan = DirectoryScan()
        // (absolute path, path below the root, .gitignore files in force): a stack.
        var pending: [(path: String, relative: String, gitignores: [GitignoreRules])] = [(root, "", [])]
        while let directory = pending.popLast() {
            var gitignores = directory.gitignores
            scan.directories.append(directory.path)
            guard let names = Self.entries(of: directory.path) else {
                scan.skipped.append(SkippedFile(path: directory.path, reason: .unreadable("cannot list the directory")))
                continue
            }
            if names.contains(".gitignore"), let text = Self.readSmallFile(directory.path + "/.gitignore") {
                gitignores.append(GitignoreRules(base: directory.relative, text: text))
            }
            var subdirectories: [(String, String)] = []
            for name in names {
                let path = directory.path + "/" + name
                let relative = directory.relative.isEmpty ? name : directory.relative + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else {
                    scan.skipped.append(SkippedFile(path: path, reason: .unreadable("cannot stat")))
                    continue
                }
                let type = info.st_mode & S_IFMT
                let isDirectory = type == S_IFDIR
                if patterns.contains(where: { $0.matches(relativePath: relative, isDirectory: isDirectory) })
                    || GitignoreRules.ignores(gitignores, relativePath: relative, isDirectory: isDirectory) {
                    continue
                }
                if isDirectory {
                    subdirectories.append((path, relative))
                } else if type == S_IFLNK {
                    scan.skipped.append(SkippedFile(path: path, reason: .symbolicLink))
                } else if type != S_IFREG {
                    scan.skipped.append(SkippedFile(path: path, reason: .notRegularFile))
                } else if Int(info.st_size) > settings.maxFileBytes {
                    scan.skipped.append(SkippedFile(path: path, reason: .tooLarge(bytes: Int(info.st_size), limit: settings.maxFileBytes)))
                } else if let id = try? DocumentID.normalize(relative) {
                    let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
                    scan.files.append(ScannedFile(documentID: id, path: path, size: Int(info.st_size), modifiedNanoseconds: modified))
                } else {
                    scan.skipped.append(SkippedFile(path: path, reason: .unreadable("no valid document id")))
                }
            }
            for (path, relative) in subdirectories.reversed() { pending.append((path, relative, gitignores)) }
        }
        scan.files.sort { $0.documentID.utf8.lexicographicallyPrecedes($1.documentID.utf8) }
        return scan
    }

    /// The names in a directory (without "." and ".."), sorted; nil when it cannot be read.
    static func entries(of path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// A small text file's content (a `.gitignore`); nil when unreadable or over 1 MiB.
    static func readSmallFile(_ path: String) -> String? {
        guard let bytes = try? FileBytes.read(path, limit: 1 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
