import Foundation
import StrataCore

/// Counts the tokens of files for `strata tokens FILE…`, so users can size a corpus before
/// ingesting it. Reads each file whole; invalid UTF-8 is an error naming the file.
public struct FileTokenCounter: Sendable {
    public let tokenizer: any TokenCounting

    public init(tokenizer: any TokenCounting) { self.tokenizer = tokenizer }

    /// One file's count. Throws `notFound` for a missing file and `invalidArgument` naming
    /// the file and the offset of the first bad byte when it is not UTF-8 text.
    public func count(path: String) throws -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StrataError.notFound("file \(path) does not exist")
        }
        guard !isDirectory.boolValue else {
            throw StrataError.invalidArgument("file \(path) is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StrataError(.failedPrecondition, "file \(path) cannot be read")
        }
        let text = try UTF8Validation.decode([UInt8](data), documentID: path)
        return tokenizer.countTokens(text)
    }

    /// Each file's count, in order, and the total.
    public func count(paths: [String]) throws -> (perFile: [(path: String, tokens: Int)], total: Int) {
        var perFile: [(String, Int)] = []
        var total = 0
        for path in paths {
            let n = try count(path: path)
            perFile.append((path, n))
            total += n
        }
        return (perFile, total)
    }
}
