import StrataCore
import Testing
@testable import StrataAuth

@Suite struct TokenRegistryTests {
    private var random = SplitMix64(seed: 42)

    private mutating func secret() -> TokenSecret { TokenSecret.generate(using: &random) }

    @Test mutating func createdTokensAuthenticateAndRevokedOnesStop() throws {
        var registry = TokenRegistry.empty
        let ci = secret()
        let admin = secret()
        try registry.create(name: "ci", scopes: [.read(.named("docs"))], secret: ci, nowUnix: 100)
        try registry.create(name: "admin", scopes: [.admin], secret: admin, nowUnix: 101)
        #expect(registry.revision == 2)
        #expect(registry.authenticate(ci)?.name == "ci")
        #expect(registry.authenticate(admin)?.scopes == [.admin])
        #expect(registry.authenticate(secret()) == nil)

        let revoked = try registry.revoke(name: "ci", nowUnix: 200)
        #expect(revoked.revokedUnix == 200)
        #expect(registry.authenticate(ci) == nil)
        #expect(registry.authenticate(admin) != nil)
        #expect(registry.revision == 3)
        // The record stays for the audit trail, and the name may be issued again.
        #expect(registry.records.count == 2 && registry.activeRecords.map(\.name) == ["admin"])
        let again = secret()
        try registry.create(name: "ci", scopes: [.write(.named("docs"))], secret: again, nowUnix: 300)
        #expect(registry.authenticate(again)?.scopes == [.write(.named("docs"))])
        #expect(registry.authenticate(ci) == nil)
    }

    @Test mutating func refusesWhatCreateMustNotAccept() throws {
        var registry = TokenRegistry.empty
        let first = secret()
        try registry.create(name: "ci", scopes: [.metrics], secret: first, nowUnix: 1)
        let duplicateName = #expect(throws: StrataError.self) { try registry.create(name: "ci", scopes: [.admin], secret: secret(), nowUnix: 2) }
        #expect(duplicateName?.code == .alreadyExists)
        let duplicateSecret = #expect(throws: StrataError.self) { try registry.create(name: "other", scopes: [.admin], secret: first, nowUnix: 2) }
        #expect(duplicateSecret?.code == .alreadyExists)
        let noScope = #expect(throws: StrataError.self) { try registry.create(name: "x", scopes: [], secret: secret(), nowUnix: 2) }
        #expect(noScope?.code == .invalidArgument)
        for name in ["", "a b", "a/b", String(repeating: "n", count: 65), "ü"] {
            #expect(throws: StrataError.self, "\(name)") { try registry.create(name: name, scopes: [.admin], secret: secret(), nowUnix: 2) }
        }
        let missing = #expect(throws: StrataError.self) { try registry.revoke(name: "nobody", nowUnix: 3) }
        #expect(missing?.code == .notFound)
        #expect(registry.revision == 1)  // refusals change nothing
    }

    @Test mutating func jsonRoundTripKeepsEverything() throws {
        var registry = TokenRegistry.empty
        try registry.create(name: "ci", scopes: [.write(.named("docs")), .read(.all)], secret: secret(), nowUnix: 1_767_225_600)
        try registry.create(name: "old", scopes: [.admin], secret: secret(), nowUnix: 1_767_225_000)
        try registry.revoke(name: "old", nowUnix: 1_767_225_500)
        let decoded = try TokenRegistry(json: registry.encodedJSON(), source: "t")
        #expect(decoded == registry)
        let text = String(decoding: registry.encodedJSON(), as: UTF8.self)
        #expect(text.contains("\"sha256\""))
        #expect(!text.contains("strata_"))  // never the secret
    }

    @Test func jsonErrorsNameTheField() {
        let hash = String(repeating: "ab", count: 32)
        let cases: [(String, String)] = [
            ("[]", "must hold a JSON object"),
            ("{\"format\": 2, \"revision\": 0, \"tokens\": []}", "format must be 1"),
            ("{\"format\": 1, \"revision\": -1, \"tokens\": []}", "revision"),
            ("{\"format\": 1, \"revision\": 0}", "tokens must be an array"),
            ("{\"format\": 1, \"revision\": 0, \"tokens\": [{\"name\": \"a b\"}]}", "tokens[0].name"),
            ("{\"format\": 1, \"revision\": 0, \"tokens\": [{\"name\": \"a\", \"sha256\": \"xy\"}]}", "tokens[0].sha256"),
            ("{\"format\": 1, \"revision\": 0, \"tokens\": [{\"name\": \"a\", \"sha256\": \"\(hash)\", \"scopes\": [\"root\"]}]}", "tokens[0].scopes"),
            ("{\"format\": 1, \"revision\": 0, \"tokens\": [{\"name\": \"a\", \"sha256\": \"\(hash)\", \"scopes\": [\"admin\"], \"created_unix\": true}]}", "created_unix"),
            ("{\"format\": 1, \"revision\": 0, \"tokens\": [{\"name\": \"a\", \"sha256\": \"\(hash)\", \"scopes\": [\"admin\"], \"created_unix\": 1},"
                + "{\"name\": \"b\", \"sha256\": \"\(hash)\", \"scopes\": [\"admin\"], \"created_unix\": 1}]}", "tokens[1].sha256"),
            ("{not json", "not valid JSON"),
        ]
        for (json, expected) in cases {
            let error = #expect(throws: StrataError.self, "\(json)") { try TokenRegistry(json: Array(json.utf8), source: "t") }
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "") should contain \(expected)")
        }
    }
}
