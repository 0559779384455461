import Foundation
import StrataCore

/// Replaces a small file atomically and durably: write a temporary file beside it, fsync it,
/// rename it over the old one, fsync the directory. A crash leaves the old or the new file,
/// never a torn one.
enum DurableFile {
    static func replace(_ path: String, with data: Data) throws(StrataError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = path + ".tmp"
        do {
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw StrataError(.failedPrecondition, "cannot write \(temporary)")
            }
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
        } catch let error as StrataError {
            throw error
        } catch {
            throw StrataError(.failedPrecondition, "cannot write \(temporary): \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            throw StrataError(.failedPrecondition, "cannot rename \(temporary) to \(path): errno \(errno)")
        }
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { throw StrataError(.failedPrecondition, "cannot open \(directory) to fsync it") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw StrataError(.failedPrecondition, "cannot fsync \(directory): errno \(errno)") }
    }
}
