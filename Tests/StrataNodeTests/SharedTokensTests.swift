import Foundation
import StrataCore
import StrataEtcd
import StrataNode
import StrataRPC
import StrataTestSupport
import StrataWire
import Testing

/// Coordinators sharing etcd share the client token registry (issue 15 with issue 14): a
/// token created through the leader is valid on a follower, a revocation reaches it through
/// the watch, a follower refuses to change the registry, and the next leader keeps it all.
/// Before, each coordinator kept its own tokens file and a follower knew none of the tokens
/// created through the leader.
@Suite(.serialized, .enabled(if: EtcdAvailability.installed, EtcdAvailability.reason))
struct SharedTokensTests {
    private static func config(_ directory: String, etcd: [String], prefix: String, bootstrap: String) throws -> StrataConfig {
        var config = try EtcdCoordinators.config(directory, etcd: etcd, prefix: prefix)
        try config.set("auth.enabled", text: "true")
        try config.set("auth.bootstrap_token_file", text: bootstrap)
        return config
    }

    /// The status code of a call with `token` (nil: it succeeded).
    private static func call(_ address: String, _ path: String, _ request: some RPCMessage, _ token: String) async -> StatusCode? {
        do {
            _ = try await RPCChannel(target: address).unary(path, request.serializedBytes(),
                                                            options: CallOptions(metadata: [(key: "authorization", value: "Bearer \(token)")]))
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }

    private static func create(_ address: String, _ name: String, admin: String) async throws -> String {
        try CreateTokenResponse(serializedBytes: await RPCChannel(target: address).unary(
            MethodPath.tokensCreate, CreateTokenRequest(name: name, scopes: ["read:*"]).serializedBytes(),
            options: CallOptions(metadata: [(key: "authorization", value: "Bearer \(admin)")]))).secret
    }

    @Test func aTokenCreatedThroughTheLeaderWorksOnEveryCoordinatorUntilRevoked() async throws {
        try await withEtcd { etcd in
            let root = TestSupport.temporaryDirectory("strata-shared-tokens")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let prefix = "/tokens-\(UInt32.random(in: 0...UInt32.max))/"
            let bootstrap = root + "/admin.token"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let first = try await CoordinatorNode.open(config: Self.config(root + "/c1", etcd: etcd.endpoints, prefix: prefix, bootstrap: bootstrap))
            try first.start()
            #expect(try await EtcdCoordinators.eventually { EtcdCoordinators.leads(first) })
            let second = try await CoordinatorNode.open(config: Self.config(root + "/c2", etcd: etcd.endpoints, prefix: prefix, bootstrap: bootstrap))
            try second.start()
            let (a, b) = (first.runtime.address, second.runtime.address)
            let admin = try String(contentsOfFile: bootstrap, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let list = ListNamespacesRequest()

            let reader = try await Self.create(a, "reader", admin: admin)
            #expect(try await EtcdCoordinators.eventually { await Self.call(b, MethodPath.coordinatorListNamespaces, list, reader) == nil })
            // Only the leader changes the registry.
            #expect(await Self.call(b, MethodPath.tokensCreate, CreateTokenRequest(name: "x", scopes: ["read:*"]), admin) == .unavailable)
            #expect(await Self.call(a, MethodPath.tokensRevoke, RevokeTokenRequest(name: "reader"), admin) == nil)
            #expect(try await EtcdCoordinators.eventually { await Self.call(b, MethodPath.coordinatorListNamespaces, list, reader) == .unauthenticated })
            let writer = try await Self.create(a, "writer", admin: admin)
            // The follower's tokens file is a copy, for the workers' /metrics checks.
            #expect(try await EtcdCoordinators.eventually {
                (try? String(contentsOfFile: root + "/c2/tokens.json", encoding: .utf8))?.contains("\"writer\"") == true
            })

            await first.shutdown()
            #expect(try await EtcdCoordinators.eventually { EtcdCoordinators.leads(second) })
            #expect(await Self.call(b, MethodPath.coordinatorListNamespaces, list, writer) == nil)
            #expect(await Self.call(b, MethodPath.coordinatorListNamespaces, list, reader) == .unauthenticated)
            #expect(await Self.call(b, MethodPath.tokensRevoke, RevokeTokenRequest(name: "writer"), admin) == nil)
            #expect(await Self.call(b, MethodPath.coordinatorListNamespaces, list, writer) == .unauthenticated)
            await second.shutdown()
        }
    }
}
