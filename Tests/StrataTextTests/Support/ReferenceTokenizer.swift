import Foundation
import StrataText
import Testing

/// Runs Tests/interop/tokenizer_reference.py (tiktoken on the same vocabulary file) so tests
/// can compare Strata's ids with the reference. Not a test double: it is the real reference.
struct ReferenceTokenizer {
    let python: String
    let script: String
    let vocabDirectory: String

    /// The repository root, found from this file's path.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The reference for this environment: `$STRATA_PYTHON`, else `<repo>/.venv/bin/python`.
    /// Throws (failing the test, never skipping it) when the python is missing.
    static func make(vocabDirectory: String) throws -> ReferenceTokenizer {
        let env = ProcessInfo.processInfo.environment
        let python = env["STRATA_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
            ?? repoRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ReferenceError("no python at \(python) for the tiktoken reference: run ./scripts/install-deps.sh (or set STRATA_PYTHON)")
        }
        return ReferenceTokenizer(python: python,
                                  script: repoRoot.appendingPathComponent("Tests/interop/tokenizer_reference.py").path,
                                  vocabDirectory: vocabDirectory)
    }

    /// Runs the script and returns its standard output.
    func run(_ arguments: [String], stdin: Data? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read before waiting so a large output cannot fill the pipe and deadlock.
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReferenceError("tokenizer_reference.py \(arguments.first ?? "") failed (\(process.terminationStatus)): "
                                 + String(String(decoding: errors, as: UTF8.self).suffix(2000))
                                 + " — run ./scripts/install-deps.sh")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// tiktoken's ids for each file (one line each).
    func ids(_ encoding: String, files: [String]) throws -> [[Int]] {
        try run(["ids", "--encoding", encoding, "--vocab-dir", vocabDirectory] + files)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { $0.split(separator: " ").map { Int($0)! } }
    }

    /// tiktoken's ids for each file with every special token recognized.
    func specialIDs(_ encoding: String, files: [String]) throws -> [[Int]] {
        try run(["special", "--encoding", encoding, "--vocab-dir", vocabDirectory] + files)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { $0.split(separator: " ").map { Int($0)! } }
    }

    /// tiktoken's count for each file.
    func counts(_ encoding: String, files: [String]) throws -> [Int] {
        try run(["counts", "--encoding", encoding, "--vocab-dir", vocabDirectory] + files)
            .split(separator: "\n").map { Int($0)! }
    }

    /// The pre-tokenization pieces of tiktoken's pattern for each string.
    func pieces(_ encoding: String, strings: [String]) throws -> [[String]] {
        let json = try JSONEncoder().encode(strings)
        let out = try run(["pieces", "--encoding", encoding, "--vocab-dir", vocabDirectory], stdin: json)
        return try JSONDecoder().decode([[String]].self, from: Data(out.utf8))
    }

    /// tiktoken's ids for each string (encode_ordinary).
    func ids(_ encoding: String, strings: [String]) throws -> [[Int]] {
        let json = try JSONEncoder().encode(strings)
        let out = try run(["strings", "--encoding", encoding, "--vocab-dir", vocabDirectory], stdin: json)
        return try JSONDecoder().decode([[Int]].self, from: Data(out.utf8))
    }
}

struct ReferenceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
