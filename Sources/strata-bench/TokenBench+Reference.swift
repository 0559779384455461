import Foundation

extension TokenBench {
    /// tiktoken's timing on the same files, from Tests/interop/tokenizer_reference.py.
    enum Reference {
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
                throw Failure("tiktoken reference failed (\(process.terminationStatus)); run ./scripts/install-deps.sh")
            }
            return Result(tokens: tokens, seconds: seconds)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
