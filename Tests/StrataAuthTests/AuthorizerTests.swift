import StrataCore
import Testing
@testable import StrataAuth

@Suite struct AuthorizerTests {
    let reader: TokenSecret
    let writer: TokenSecret
    let admin: TokenSecret
    let revoked: TokenSecret
    let authorizer: Authorizer

    init() throws {
        var random = SplitMix64(seed: 9)
        reader = TokenSecret.generate(using: &random)
        writer = TokenSecret.generate(using: &random)
        admin = TokenSecret.generate(using: &random)
        revoked = TokenSecret.generate(using: &random)
        var registry = TokenRegistry.empty
        try registry.create(name: "reader", scopes: [.read(.named("docs"))], secret: reader, nowUnix: 1)
        try registry.create(name: "writer", scopes: [.write(.named("docs"))], secret: writer, nowUnix: 1)
        try registry.create(name: "root", scopes: [.admin], secret: admin, nowUnix: 1)
        try registry.create(name: "gone", scopes: [.admin], secret: revoked, nowUnix: 1)
        try registry.revoke(name: "gone", nowUnix: 2)
        authorizer = Authorizer(registry: registry)
    }

    private func bearer(_ secret: TokenSecret) -> String { BearerCredential.metadataValue(for: secret.revealed) }

    @Test func missingMalformedUnknownAndRevokedTokensAreUnauthenticated() {
        let read = Permission.read(namespace: "docs")
        for header in [nil, "", "Basic abc", "Bearer", "Bearer ", "bearer strata_nothex", "Token \(reader.revealed)",
                       "Bearer \(reader.revealed) extra", bearer(revoked), bearer(TokenSecret.generate())] as [String?] {
            let decision = authorizer.decide(authorization: header, required: read)
            guard case .unauthenticated(let message) = decision else {
                Issue.record("\(header ?? "nil") gave \(decision)")
                continue
            }
            #expect(!message.contains("strata_"), "an error must never echo a secret: \(message)")
            #expect(decision.error?.code == .unauthenticated)
        }
    }

    @Test func schemeIsCaseInsensitiveAndSpacesAreTolerated() {
        for header in ["Bearer \(reader.revealed)", "bearer \(reader.revealed)", "BEARER  \(reader.revealed) "] {
            #expect(authorizer.decide(authorization: header, required: .read(namespace: "docs")) == .allowed(AccessGrant(tokenName: "reader", scopes: [.read(.named("docs"))])))
        }
    }

    @Test func wrongScopeIsPermissionDeniedNamingTheScopeNeeded() throws {
        let decision = authorizer.decide(authorization: bearer(reader), required: .write(namespace: "docs"))
        guard case .permissionDenied(let message) = decision else { Issue.record("\(decision)"); return }
        #expect(message.contains("needs scope write:docs"))
        #expect(message.contains("reader"))
        #expect(message.contains("it has read:docs"))
        #expect(decision.error?.code == .permissionDenied)

        let other = authorizer.decide(authorization: bearer(writer), required: .read(namespace: "code"))
        guard case .permissionDenied(let otherMessage) = other else { Issue.record("\(other)"); return }
        #expect(otherMessage.contains("needs scope read:code"))
        #expect(throws: StrataError.self) { try other.caller() }

        let adminOnly = authorizer.decide(authorization: bearer(writer), required: .admin)
        guard case .permissionDenied(let adminMessage) = adminOnly else { Issue.record("\(adminOnly)"); return }
        #expect(adminMessage.contains("needs scope admin;"))
    }

    /// The per-scope matrix of the issue: who may do what to namespace docs.
    @Test func scopeMatrix() throws {
        let permissions: [Permission] = [.observe, .read(namespace: "docs"), .write(namespace: "docs"), .read(namespace: "code"), .admin]
        let expected: [(TokenSecret, [Bool])] = [
            (reader, [true, true, false, false, false]),
            (writer, [true, true, true, false, false]),
            (admin, [true, true, true, true, true]),
        ]
        for (secret, row) in expected {
            for (permission, allowed) in zip(permissions, row) {
                let decision = authorizer.decide(authorization: bearer(secret), required: permission)
                if allowed {
                    #expect(try decision.caller().allows(permission))
                } else {
                    #expect(decision.error?.code == .permissionDenied, "\(permission)")
                }
            }
        }
    }

    @Test func revocationTakesEffectOnTheNextDecision() throws {
        var registry = authorizer.registry
        #expect(authorizer.decide(authorization: bearer(writer), required: .observe).error == nil)
        try registry.revoke(name: "writer", nowUnix: 5)
        let after = Authorizer(registry: registry)
        #expect(after.decide(authorization: bearer(writer), required: .observe).error?.code == .unauthenticated)
    }

    @Test func grantFiltersNamespaces() {
        let grant = AccessGrant(tokenName: "t", scopes: [.read(.named("a")), .write(.named("b"))])
        #expect(["a", "b", "c"].filter(grant.canRead) == ["a", "b"])
        #expect(AccessGrant(tokenName: "m", scopes: [.metrics]).canRead("a") == false)
    }
}
