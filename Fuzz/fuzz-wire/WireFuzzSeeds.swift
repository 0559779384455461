import Foundation

/// Seeds: every golden encoding of `Tests/interop/wire_golden.txt` (the bytes Swift and
/// Python agree on), prefixed with its message's selector, plus an empty message of each type.
enum WireFuzzSeeds {
    static let goldenFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/interop/wire_golden.txt").path

    static func write(to directory: String) throws {
        var seeds: [String: [UInt8]] = [:]
        for (index, entry) in WireFuzzMessages.all.enumerated() {
            seeds["empty-\(entry.name)"] = [UInt8(index)]
        }
        let golden = try String(contentsOfFile: goldenFile, encoding: .utf8)
        for line in golden.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2 else { continue }
            let name = String(fields[0])
            let messageName = String(name.split(separator: ".")[0])
            guard let index = WireFuzzMessages.index(of: messageName), let bytes = hexBytes(fields[1]) else { continue }
            seeds["golden-\(name)"] = [UInt8(index)] + bytes
        }
        for (name, bytes) in seeds {
            try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
        }
    }

    static func hexBytes(_ hex: Substring) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        return stride(from: 0, to: utf8.count, by: 2).compactMap { UInt8(String(decoding: utf8[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }
}
