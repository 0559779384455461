import Foundation

/// The benchmark corpus: sorted, valid-UTF-8 source files up to a byte budget.
enum BenchCorpus {
    static func pythonStdlib(python: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func files(under roots: [String], maxBytes: Int) -> [(path: String, text: String)] {
        var result: [(String, String)] = []
        var total = 0
        for root in roots {
            guard let enumerator = FileManager.default.enumerator(atPath: root) else { continue }
            var paths: [String] = []
            for case let relative as String in enumerator
            where [".py", ".h", ".c", ".swift", ".md", ".txt", ".rst"].contains(where: { relative.hasSuffix($0) })
                && !relative.contains("site-packages/") {
                paths.append(root + "/" + relative)
            }
            for path in paths.sorted() {
                guard total < maxBytes, let data = FileManager.default.contents(atPath: path),
                      let text = String(validating: data, as: UTF8.self), !text.isEmpty else { continue }
                result.append((path, text))
                total += data.count
            }
        }
        return result
    }
}

/// tiktoken's timing on the same files, from Tests/interop/tokenizer_reference.py.
enum BenchReference {
    struct Result { let tokens: Int; let seconds: Double }

    static func tiktoken(python: String, script: String, encoding: String, vocabDirectory: String,
                         files: [String], runs: Int) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "bench", "--encoding", encoding, "--vocab-dir", vocabDirectory,
                             "--runs", String(runs)] + files
        // One thread, like Strata's measurement.
        var environment = ProcessInfo.processInfo.environment
        environment["RAYON_NUM_THREADS"] = "1"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let tokens = json["tokens"] as? Int, let seconds = json["seconds_median"] as? Double else {
            throw BenchError("tiktoken reference failed (\(process.terminationStatus)); run ./scripts/install-deps.sh")
        }
        return Result(tokens: tokens, seconds: seconds)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
