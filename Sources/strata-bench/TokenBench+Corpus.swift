import Foundation

extension TokenBench {
    /// The benchmark corpus: sorted, valid-UTF-8 source files up to a byte budget.
    enum Corpus {
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
}
