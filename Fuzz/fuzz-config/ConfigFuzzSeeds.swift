import Foundation
import StrataCore

/// Seeds: the shipped config file, the cluster example, and for every key its default value
/// as text.
enum ConfigFuzzSeeds {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func write(to directory: String) throws {
        for file in ["config/strata.json", "config/cluster.example.json"] {
            if let data = FileManager.default.contents(atPath: root.appendingPathComponent(file).path) {
                try Data([0] + [UInt8](data)).write(to: URL(fileURLWithPath: directory + "/file-" + file.replacingOccurrences(of: "/", with: "_")))
            }
        }
        try Data([0] + Array("{\"rpc\": {\"threads\": 4}, \"tls\": {\"cert_file\": \"a\", \"key_file\": \"b\"}}".utf8))
            .write(to: URL(fileURLWithPath: directory + "/file-small"))
        for (index, key) in StrataConfig.keyPaths.enumerated() {
            let sample = key.hasSuffix("_ms") || key.contains("capacity") || key.hasSuffix("port") ? "100" : "true"
            try Data([1, UInt8(index % 256)] + Array(sample.utf8)).write(to: URL(fileURLWithPath: "\(directory)/key-\(key)"))
        }
    }
}
