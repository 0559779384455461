import Foundation
import StrataCore
import Testing
@testable import StrataClient

@Suite struct FileBatcherTests {
    /// A fresh directory tree for one test, removed by the caller's `defer`.
    func makeTree() throws -> String {
        let root = NSTemporaryDirectory() + "strata-batcher-" + UUID().uuidString
        let fm = FileManager.default
        func write(_ relative: String, _ bytes: [UInt8]) throws {
            let path = root + "/" + relative
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard fm.createFile(atPath: path, contents: Data(bytes)) else { throw StrataError(.internal, "cannot write \(path)") }
        }
        try write("a.txt", Array("alpha\n".utf8))
        try write("b.py", Array("print('b')\n".utf8))
        try write("sub/c.md", Array("# c\n".utf8))
        try write("sub/deeper/d.swift", Array("let d = 1\n".utf8))
        try write("bin.dat", [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01])
        try write("latin1.txt", Array("caf".utf8) + [0xE9] + Array(" au lait".utf8))
        try write("late-bad.txt", [UInt8](repeating: 0x61, count: 9000) + [0xFF])
        try write("late-nul.txt", [UInt8](repeating: 0x61, count: 9000) + [0x00] + Array("tail\n".utf8))
        try write("big.txt", [UInt8](repeating: 0x62, count: 12_000))
        try write(".git/config", Array("[core]\n".utf8))
        try write("__pycache__/x.cpython-311.pyc", [0x00, 0x01])
        try write("mod.pyc", [0x00])
        try fm.createSymbolicLink(atPath: root + "/link.txt", withDestinationPath: root + "/a.txt")
        return root
    }

    @Test func batchesTextFilesAndSkipsTheRestWithReasons() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let settings = FileBatcherSettings(maxFilesPerBatch: 2, maxFileBytes: 10_000)
        let batches = Array(try FileBatcher(roots: [root], settings: settings))
        let files = batches.flatMap(\.files)
        #expect(files.map(\.documentID) == ["a.txt", "b.py", "sub/c.md", "sub/deeper/d.swift"])
        #expect(files.first?.text == "alpha\n")
        #expect(batches.map(\.files.count).prefix(2) == [2, 2])
        for batch in batches { #expect(batch.files.count <= 2) }

        let skipped = Dictionary(batches.flatMap(\.skipped).map { (($0.path as NSString).lastPathComponent, $0.reason) },
                                 uniquingKeysWith: { a, _ in a })
        #expect(skipped["bin.dat"] == .binary("binary: NUL byte at offset 4"))
        #expect(skipped["latin1.txt"] == .binary("binary: not UTF-8 (bad byte at offset 3)"))
        #expect(skipped["late-bad.txt"] == .invalidUTF8(offset: 9000))
        // A NUL past the 8 KiB probe: the text could not travel whole, so the file is skipped.
        #expect(skipped["late-nul.txt"] == .binary("binary: NUL byte at offset 9000"))
        #expect(skipped["big.txt"] == .tooLarge(bytes: 12_000, limit: 10_000))
        #expect(skipped[".git"] == .ignored(pattern: ".git/"))
        #expect(skipped["__pycache__"] == .ignored(pattern: "__pycache__/"))
        #expect(skipped["mod.pyc"] == .ignored(pattern: "*.pyc"))
        #expect(skipped["link.txt"] == .symbolicLink)
        #expect(skipped.count == 9)
    }

    @Test func defaultBatchHoldsUpTo800Files() throws {
        let root = NSTemporaryDirectory() + "strata-batcher-many-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for i in 0..<1001 {
            FileManager.default.createFile(atPath: root + "/f\(i).txt", contents: Data("file \(i)\n".utf8))
        }
        let batches = Array(try FileBatcher(roots: [root]))
        #expect(batches.map(\.files.count) == [800, 201])
        #expect(Set(batches.flatMap(\.files).map(\.documentID)).count == 1001)
    }

    @Test func fileRootsUseTheirNameAndDuplicatesAreSkipped() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let batches = Array(try FileBatcher(roots: [root + "/sub/c.md", root + "/a.txt", root + "/sub/c.md"]))
        #expect(batches.flatMap(\.files).map(\.documentID) == ["c.md", "a.txt"])
        #expect(batches.flatMap(\.skipped).map(\.reason) == [.duplicateDocumentID("c.md")])
    }

    @Test func severalDirectoryRootsPrefixIdsWithTheirNames() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let other = root + "/other"
        try FileManager.default.createDirectory(atPath: other + "/sub", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: other + "/sub/c.md", contents: Data("# other c\n".utf8))
        let batches = Array(try FileBatcher(roots: [root + "/sub/", other, root + "/a.txt"]))
        #expect(batches.flatMap(\.files).map(\.documentID) == ["sub/c.md", "sub/deeper/d.swift", "other/sub/c.md", "a.txt"])
        // One root keeps ids relative to it.
        #expect(Array(try FileBatcher(roots: [other])).flatMap(\.files).map(\.documentID) == ["sub/c.md"])
    }

    @Test func badRootsAndSettingsAreRejected() {
        #expect(throws: StrataError.notFound("path /nonexistent/strata/x does not exist")) {
            try FileBatcher(roots: ["/nonexistent/strata/x"])
        }
        #expect(throws: StrataError.self) { try FileBatcher(roots: []) }
        #expect(throws: StrataError.invalidArgument("maxFilesPerBatch must be at least 1, got 0")) {
            try FileBatcher(roots: ["/tmp"], settings: FileBatcherSettings(maxFilesPerBatch: 0))
        }
        #expect(throws: StrataError.self) {
            try FileBatcher(roots: ["/tmp"], settings: FileBatcherSettings(ignorePatterns: ["/"]))
        }
    }

    @Test func ignorePatternsMatchNamesDirectoriesAndPaths() throws {
        let pyc = try IgnorePattern("*.pyc")
        #expect(pyc.matches(relativePath: "a/b/mod.pyc", isDirectory: false))
        #expect(!pyc.matches(relativePath: "a/b/mod.py", isDirectory: false))
        let git = try IgnorePattern(".git/")
        #expect(git.matches(relativePath: "x/.git", isDirectory: true))
        #expect(!git.matches(relativePath: "x/.git", isDirectory: false))
        let path = try IgnorePattern("docs/build")
        #expect(path.matches(relativePath: "docs/build", isDirectory: true))
        #expect(!path.matches(relativePath: "src/docs/build", isDirectory: true))
        let star = try IgnorePattern("src/*.o")
        #expect(star.matches(relativePath: "src/a.o", isDirectory: false))
        #expect(!star.matches(relativePath: "src/x/a.o", isDirectory: false))
        let question = try IgnorePattern("?.tmp")
        #expect(question.matches(relativePath: "a.tmp", isDirectory: false))
        #expect(!question.matches(relativePath: "ab.tmp", isDirectory: false))
    }

    @Test func documentIDsAreRelativeNormalizedAndNeverEscape() throws {
        #expect(try DocumentID.normalize("a//b/./c") == "a/b/c")
        #expect(try DocumentID.normalize("/abs/path.txt") == "abs/path.txt")
        for bad in ["", "/", ".", "../x", "a/../../x", "a/..", "a\u{0}b"] {
            #expect(throws: StrataError.self) { try DocumentID.normalize(bad) }
        }
    }
}
