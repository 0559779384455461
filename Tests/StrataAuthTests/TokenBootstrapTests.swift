import StrataCore
import Testing
@testable import StrataAuth

@Suite struct TokenBootstrapTests {
    @Test func followsTheTable() throws {
        let token = TokenSecret.generate()
        #expect(try TokenBootstrap.plan(registry: .empty, file: .notConfigured) == .generateAndPrint)
        #expect(try TokenBootstrap.plan(registry: .empty, file: .missing(path: "/s/t")) == .generateAndWrite(path: "/s/t"))
        #expect(try TokenBootstrap.plan(registry: .empty, file: .present(path: "/s/t", contents: token.revealed + "\n"))
            == .adopt(token, path: "/s/t"))
        let bad = #expect(throws: StrataError.self) {
            try TokenBootstrap.plan(registry: .empty, file: .present(path: "/s/t", contents: "hunter2"))
        }
        #expect(bad?.message.contains("auth.bootstrap_token_file /s/t") == true)
        #expect(bad?.message.contains("hunter2") == false)

        var used = TokenRegistry.empty
        try used.create(name: "admin", scopes: [.admin], secret: token, nowUnix: 1)
        try used.revoke(name: "admin", nowUnix: 2)
        // Even with every token revoked, bootstrap never runs twice (a revoked admin stays revoked).
        #expect(try TokenBootstrap.plan(registry: used, file: .notConfigured) == TokenBootstrap.Directive.none)
        #expect(try TokenBootstrap.plan(registry: used, file: .present(path: "/s/t", contents: token.revealed)) == TokenBootstrap.Directive.none)
    }
}
