import Foundation
import StrataCore

/// A coordinator state file (`namespaces.json`, `syncs.json`): JSON with sorted keys, replaced
/// atomically on every change (temporary file, fsync, rename, fsync of the directory).
enum JSONStateFile {
    /// The file's content; nil when there is no file. DATA_LOSS when it cannot be decoded,
    /// FAILED_PRECONDITION when it has a format version this build does not read.
    static func load<File: Decodable>(_ type: File.Type, from path: String, formatVersion: (File) -> Int, reads expected: Int) throws -> File? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw StrataError(.dataLoss, "\(path) cannot be read: \(error)")
        }
        guard formatVersion(file) == expected else {
            throw StrataError(.failedPrecondition, "\(path) has format version \(formatVersion(file)); this build reads \(expected)")
        }
        return file
    }

    /// Replaces the file; returns its size in bytes.
    @discardableResult
    static func save(_ value: some Encodable, to path: String) throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = [UInt8](try encoder.encode(value))
        try AtomicFile.replace(path, with: bytes)
        return bytes.count
    }
}
