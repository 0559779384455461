import Foundation
import StrataAuth
import StrataCore

/// Seeds: a real tokens file (active and revoked tokens), good and bad authorization values,
/// scope lists, and certificate names.
enum AuthFuzzSeeds {
    static func write(to directory: String) throws {
        var registry = TokenRegistry.empty
        var random = SplitMix64(seed: 2)
        try registry.create(name: "ci", scopes: [.write(.named("docs")), .read(.all)], secret: TokenSecret.generate(using: &random), nowUnix: 1_767_225_600)
        try registry.create(name: "old", scopes: [.admin], secret: TokenSecret.generate(using: &random), nowUnix: 1_767_225_000)
        try registry.revoke(name: "old", nowUnix: 1_767_225_500)
        var seeds: [String: [UInt8]] = ["tokens-file": [0] + registry.encodedJSON()]
        let token = TokenSecret.generate(using: &random).revealed
        for (index, value) in ["Bearer \(token)", "bearer  \(token) ", "Basic dXNlcjpwYXNz", "Bearer"].enumerated() {
            seeds["authorization-\(index)"] = [1] + Array(value.utf8)
        }
        for (index, value) in ["admin", "read:docs,write:code", "read:*, metrics", "write:*"].enumerated() {
            seeds["scopes-\(index)"] = [2] + Array(value.utf8)
        }
        for (index, value) in ["strata-coordinator", "strata-worker", "strata-worker:w-1a2b3c4d"].enumerated() {
            seeds["certificate-name-\(index)"] = [3] + Array(value.utf8)
        }
        for (name, bytes) in seeds { try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name)) }
    }
}
