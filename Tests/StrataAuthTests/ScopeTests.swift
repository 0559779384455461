import StrataCore
import Testing
@testable import StrataAuth

@Suite struct ScopeTests {
    @Test func parsesEveryShapeAndPrintsItBack() throws {
        for text in ["admin", "metrics", "read:docs", "write:docs", "read:*", "write:*", "read:a.b_c-1"] {
            #expect(try Scope(parsing: text).description == text)
        }
        #expect(try Scope(parsing: "read:docs") == .read(.named("docs")))
        #expect(try Scope(parsing: "write:*") == .write(.all))
    }

    @Test func refusesWhatIsNotAScopeAndSaysWhy() {
        let bare = #expect(throws: StrataError.self) { try Scope(parsing: "*") }
        #expect(bare?.message.contains("use admin") == true)
        for text in ["", "root", "read", "read:", "delete:docs", "read:a:b", "read:a b", "read:do*cs", "READ:docs"] {
            #expect(throws: StrataError.self, "\(text)") { try Scope(parsing: text) }
        }
        let long = String(repeating: "n", count: 129)
        #expect(throws: StrataError.self) { try Scope(parsing: "read:" + long) }
    }

    @Test func listsAreDeduplicatedSortedAndNeverEmpty() throws {
        #expect(try Scope.parseList("write:b, read:a,write:b") == [.read(.named("a")), .write(.named("b"))])
        #expect(throws: StrataError.self) { try Scope.parseList("") }
        #expect(throws: StrataError.self) { try Scope.parseList("read:a,,write:b") }
    }

    /// The implication lattice: admin ⊇ write:NS ⊇ read:NS; * covers every namespace; every
    /// scope may observe; metrics may only observe.
    @Test func grantsFollowTheDocumentedRules() throws {
        let table: [(String, Permission, Bool)] = [
            ("admin", .admin, true), ("admin", .write(namespace: "x"), true), ("admin", .read(namespace: "x"), true),
            ("admin", .observe, true),
            ("write:docs", .write(namespace: "docs"), true), ("write:docs", .read(namespace: "docs"), true),
            ("write:docs", .write(namespace: "code"), false), ("write:docs", .read(namespace: "code"), false),
            ("write:docs", .admin, false), ("write:docs", .observe, true),
            ("read:docs", .read(namespace: "docs"), true), ("read:docs", .write(namespace: "docs"), false),
            ("read:docs", .read(namespace: "docs2"), false), ("read:docs", .admin, false),
            ("read:*", .read(namespace: "anything"), true), ("read:*", .write(namespace: "anything"), false),
            ("write:*", .write(namespace: "anything"), true), ("write:*", .read(namespace: "anything"), true),
            ("write:*", .admin, false),
            ("metrics", .observe, true), ("metrics", .read(namespace: "docs"), false), ("metrics", .admin, false),
        ]
        for (scope, permission, expected) in table {
            #expect(try Scope(parsing: scope).grants(permission) == expected, "\(scope) -> \(permission)")
        }
    }

    @Test func everyGrantingScopeGrantsAndNothingElseDoes() throws {
        let all: [Scope] = [.admin, .metrics, .read(.all), .write(.all), .read(.named("docs")), .write(.named("docs")),
                            .read(.named("code")), .write(.named("code"))]
        for permission in [Permission.admin, .read(namespace: "docs"), .write(namespace: "docs")] {
            for scope in all {
                #expect(scope.grants(permission) == permission.grantingScopes.contains(scope), "\(scope) -> \(permission)")
            }
        }
        // Any token may observe; what an error suggests for it is the narrowest, metrics.
        #expect(all.allSatisfy { $0.grants(.observe) })
        #expect(Permission.observe.grantingScopes.first == .metrics)
    }
}
