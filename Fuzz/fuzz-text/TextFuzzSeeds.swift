import Foundation

/// Seeds: the repository's own docs and sources (prose, code, tables, non-ASCII) for every
/// selector, cut to 4 KiB, plus a few hand-picked hard cases.
enum TextFuzzSeeds {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func write(to directory: String) throws {
        var texts: [(String, [UInt8])] = [
            ("mixed", Array("naïve — 東京 🚀 <|endoftext|> \r\n\t  x  \n\n\u{0301}e\u{0301} 👩‍👩‍👧".utf8)),
            ("invalid", [0x61, 0xFF, 0xC3, 0x28, 0xE2, 0x82, 0x0A, 0xF0, 0x9F, 0x98]),
            ("spaces", Array(String(repeating: " ", count: 300).utf8)),
            ("digits", Array(String(repeating: "1234567890", count: 30).utf8)),
        ]
        for file in ["README.md", "docs/tokens.md", "Sources/StrataText/Chunking/Chunker.swift"] {
            if let data = FileManager.default.contents(atPath: root.appendingPathComponent(file).path) {
                texts.append((file.replacingOccurrences(of: "/", with: "_"), Array([UInt8](data).prefix(4096))))
            }
        }
        for selector in 0..<5 {
            for (name, bytes) in texts {
                let prefix: [UInt8] = selector == 3 ? [UInt8(selector), 10, 3] : [UInt8(selector)]
                try Data(prefix + bytes).write(to: URL(fileURLWithPath: "\(directory)/\(selector)-\(name)"))
            }
        }
        // A vocabulary file's shape: base64 token, space, rank.
        let vocabulary = (0..<300).map { "\(Data([UInt8(truncatingIfNeeded: $0)]).base64EncodedString()) \($0)" }.joined(separator: "\n")
        try Data([5] + Array(vocabulary.utf8)).write(to: URL(fileURLWithPath: "\(directory)/5-vocabulary"))
    }
}
