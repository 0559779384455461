import Foundation
import StrataTestSupport
@testable import StrataClient
import Testing

struct WildmatchTests {
    @Test(arguments: [
        ("*.log", "a.log", true), ("*.log", "dir/a.log", false), ("a?c", "abc", true), ("a?c", "a/c", false),
        ("**/x", "x", true), ("**/x", "a/b/x", true), ("a/**", "a/b/c", true), ("a/**", "a", false),
        ("a/**/b", "a/b", true), ("a/**/b", "a/x/y/b", true), ("a/**/b", "a/x/y/c", false),
        ("[a-c]at", "bat", true), ("[!a-c]at", "bat", false), ("[!a-c]at", "rat", true), ("\\*x", "*x", true),
        ("\\*x", "ax", false), ("foo*bar", "foo-and-bar", true), ("foo*bar", "foo/bar", false), ("[", "[", true),
    ])
    func matchesLikeGit(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(Wildmatch.matches(pattern, text) == expected, "\(pattern) vs \(text)")
    }
}

struct GitignoreRulesTests {
    @Test func rulesFollowGitPrecedenceAnchoringAndNegation() {
        let root = GitignoreRules(base: "", text: """
            # comment
            *.log
            !keep.log
            /build
            docs/*.tmp
            out/

            """)
        func ignored(_ path: String, dir: Bool = false) -> Bool { GitignoreRules.ignores([root], relativePath: path, isDirectory: dir) }
        #expect(ignored("a.log") && ignored("deep/down/b.log"))
        #expect(!ignored("keep.log") && !ignored("sub/keep.log"))
        #expect(ignored("build", dir: true) && !ignored("src/build", dir: true))  // anchored to the file's directory
        #expect(ignored("docs/x.tmp") && !ignored("other/docs/x.tmp"))
        #expect(ignored("out", dir: true) && ignored("src/out", dir: true) && !ignored("out"))  // directory-only
        #expect(!ignored("readme.md"))
    }

    @Test func deeperFilesOverrideShallowerOnesBelowTheirDirectory() {
        let root = GitignoreRules(base: "", text: "*.gen\n")
        let sub = GitignoreRules(base: "src", text: "!*.gen\nlocal.txt\n")
        func ignored(_ path: String) -> Bool { GitignoreRules.ignores([root, sub], relativePath: path, isDirectory: false) }
        #expect(ignored("top.gen"))
        #expect(!ignored("src/kept.gen"))
        #expect(ignored("src/local.txt") && !ignored("local.txt"))
    }
}

struct DirectoryScannerTests {
    @Test func scanHonoursGitignoreAndIngestRulesAndSkipsWithReasons() throws {
        let root = TestSupport.temporaryDirectory("strata-scan")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        for directory in ["src/gen", "node_modules/pkg", "logs", ".git"] {
            try fm.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        try "logs/\n*.secret\n".write(toFile: root + "/.gitignore", atomically: true, encoding: .utf8)
        try "!keep.secret\n".write(toFile: root + "/src/.gitignore", atomically: true, encoding: .utf8)
        for file in ["README.md", "src/main.swift", "src/keep.secret", "src/drop.secret", "src/gen/x.txt", "logs/a.txt",
                     "node_modules/pkg/index.js", ".git/HEAD", "a.secret"] {
            try "text of \(file)\n".write(toFile: root + "/" + file, atomically: true, encoding: .utf8)
        }
        try String(repeating: "x", count: 100).write(toFile: root + "/big.txt", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: root + "/link.md", withDestinationPath: root + "/README.md")

        let scan = try DirectoryScanner(root: root, settings: FileBatcherSettings(maxFileBytes: 50)).scan()
        #expect(scan.files.map(\.documentID) == [".gitignore", "README.md", "src/.gitignore", "src/gen/x.txt", "src/keep.secret", "src/main.swift"])
        let reasons = Dictionary(uniqueKeysWithValues: scan.skipped.map { (($0.path as NSString).lastPathComponent, $0.reason) })
        #expect(reasons["big.txt"] == .tooLarge(bytes: 100, limit: 50))
        #expect(reasons["link.md"] == .symbolicLink)
        #expect(!scan.directories.contains { $0.hasSuffix("/logs") || $0.hasSuffix("/.git") || $0.hasSuffix("node_modules") })
        #expect(throws: (any Error).self) { _ = try DirectoryScanner(root: root + "/missing") }
    }
}
