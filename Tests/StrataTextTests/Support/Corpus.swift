import Foundation

/// A real corpus that exists on every machine of this kind: the Python standard library of
/// the reference python, then C headers under /usr/include. Files are taken in sorted order
/// (deterministic), only when they are valid UTF-8, until a byte budget is reached.
enum Corpus {
    static func stdlibDirectory(python: String) throws -> String {
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

    /// Files under `root` ending in one of `extensions`, sorted, valid UTF-8, up to `maxBytes`
    /// in total; `stride` takes every n-th file so the sample spans the whole tree.
    static func files(under root: String, extensions: [String], maxBytes: Int, stride: Int = 1) -> [(path: String, text: String)] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var paths: [String] = []
        // site-packages is whatever happens to be installed, not the standard library.
        for case let relative as String in enumerator
        where extensions.contains(where: { relative.hasSuffix($0) }) && !relative.contains("site-packages/") {
            paths.append(root + "/" + relative)
        }
        paths.sort()
        var result: [(String, String)] = []
        var total = 0
        for (index, path) in paths.enumerated() where index % stride == 0 {
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(validating: data, as: UTF8.self), !text.isEmpty else { continue }
            if total + data.count > maxBytes { continue }
            result.append((path, text))
            total += data.count
            if total >= maxBytes - 1024 { break }
        }
        return result
    }
}
