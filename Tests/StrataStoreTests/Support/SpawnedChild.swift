import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, its stdout captured through a pipe.
///
/// Not Foundation's `Process`: that forks and then closes descriptors one by one in the
/// child, and during that window the child holds copies of this process's descriptors,
/// including the warm tier's `flock`ed shared-memory object that tier tests running in
/// parallel reopen. `posix_spawn` execs at once, and every descriptor here is close-on-exec.
final class SpawnedChild {
    let pid: pid_t
    private let readFD: Int32

    init(path: String, arguments: [String]) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        // Close everything else in the child before exec: exec only closes close-on-exec
        // descriptors late, after loading the binary, and until then the child holds them.
        _ = spawnActionsAddCloseFrom(&actions, 3)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, nil, argv, environ)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw POSIXError(.init(rawValue: rc) ?? .EIO)
        }
        pid = child
        readFD = fds[0]
    }

    /// Sends SIGKILL, reaps the child, and returns whether it died by that signal and all it wrote.
    func killAndCollect() -> (killedBySignal: Bool, output: String) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(readFD, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        close(readFD)
        // WIFSIGNALED: the low 7 bits hold the signal number and are neither 0 nor 0x7f.
        let signaled = (status & 0x7F) != 0 && (status & 0x7F) != 0x7F
        return (signaled, String(decoding: data, as: UTF8.self))
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module does not
/// export because it is a GNU extension. Integer and pointer arguments pass the same way
/// under Swift's and C's calling conventions on x86-64 and arm64.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnActionsAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32

