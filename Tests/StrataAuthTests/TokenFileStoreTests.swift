import Foundation
import StrataCore
import StrataTestSupport
import Testing
@testable import StrataAuth

@Suite struct TokenFileStoreTests {
    @Test func savesAtomicallyOwnerOnlyAndLoadsBack() throws {
        let directory = TestSupport.temporaryDirectory("strata-tokens")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenFileStore(path: directory + "/tokens.json")
        #expect(try store.load() == .empty)

        var registry = TokenRegistry.empty
        try registry.create(name: "ci", scopes: [.read(.named("docs"))], secret: .generate(), nowUnix: 10)
        try store.save(registry)
        #expect(try store.load() == registry)
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["tokens.json"])  // no temp file left

        try registry.revoke(name: "ci", nowUnix: 11)
        try store.save(registry)
        #expect(try store.load().activeRecords.isEmpty)
    }

    @Test func refusesToOverwriteANewerRegistry() throws {
        let directory = TestSupport.temporaryDirectory("strata-tokens")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = TokenFileStore(path: directory + "/tokens.json")
        var newer = TokenRegistry.empty
        try newer.create(name: "a", scopes: [.admin], secret: .generate(), nowUnix: 1)
        var stale = newer
        try newer.create(name: "b", scopes: [.admin], secret: .generate(), nowUnix: 2)
        try store.save(newer)
        let error = #expect(throws: StrataError.self) { try store.save(stale) }
        #expect(error?.code == .aborted)
        try stale.create(name: "c", scopes: [.admin], secret: .generate(), nowUnix: 3)
        #expect(throws: StrataError.self) { try store.save(stale) }  // same revision, different content
        #expect(try store.load() == newer)
    }

    @Test func aDamagedFileIsRefusedNamingIt() throws {
        let directory = TestSupport.temporaryDirectory("strata-tokens")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/tokens.json"
        try Data("{\"format\": 1, \"revision\": 0, \"tokens\": [{}]}".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StrataError.self) { try TokenFileStore(path: path).load() }
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("tokens[0].name") == true)
    }
}
