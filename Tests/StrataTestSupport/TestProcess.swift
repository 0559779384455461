import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with posix_spawn (Foundation's `Process.waitUntilExit`
/// aborts when tests call it from many threads at once) and collects its output.
public enum TestProcess {
    /// The exit status (128 + the signal when killed by one) and stdout + stderr together.
    public static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let log = TestSupport.temporaryDirectory("strata-process") + "/output"
        defer { try? FileManager.default.removeItem(atPath: (log as NSString).deletingLastPathComponent) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        let output = readAll(log)
        // WIFSIGNALED: the low 7 bits hold the signal number and are neither 0 nor 0x7f.
        let signal = status & 0x7F
        return (signal != 0 && signal != 0x7F ? 128 + signal : (status >> 8) & 0xFF, output)
    }

    /// The whole file, read with POSIX calls: Foundation's readers leak a buffer on an empty
    /// file (seen under LeakSanitizer), and most runs here print nothing.
    private static func readAll(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A built executable of this package: `STRATA_BIN_DIR`, next to the test bundle, or `.build/debug`.
    public static func builtExecutable(_ name: String) -> String? {
        var directories: [String] = []
        if let directory = ProcessInfo.processInfo.environment["STRATA_BIN_DIR"] { directories.append(directory) }
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        directories.append(argv0.deletingLastPathComponent().path)
        directories.append(argv0.deletingLastPathComponent().deletingLastPathComponent().path)
        directories.append(TestSupport.repositoryRoot + "/.build/debug")
        return directories.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
