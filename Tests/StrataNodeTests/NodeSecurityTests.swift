import Foundation
import StrataCore
@testable import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

/// Node admission and client authorization as the node shells apply them, in process: calls
/// go through `InProcessChannel`, whose `peer` presents the certificate name the TLS layer would
/// have verified (the interop tests, test_security.py, do the same over real TLS).
@Suite(.serialized) struct NodeSecurityTests {
    static func inProcess(_ address: String) -> NodeEnvironment {
        NodeEnvironment(connect: { target, _ in InProcessChannel(target: target, services: []) },
                        servesGRPC: false, now: { ContinuousClock.now - ContinuousClock.now }, runsTimers: false)
    }

    static func config(_ directory: String, _ settings: [String: String]) throws -> StrataConfig {
        var config = StrataConfig.default
        try config.set("node.data_dir", text: directory)
        try config.set("coordinator.metrics_port", text: "0")
        try config.set("worker.metrics_port", text: "0")
        try config.set("worker.coordinator", text: "")
        try config.set("logging.level", text: "critical")
        for tier in ["hot", "warm", "cold"] { try config.set("tiers.\(tier).capacity_bytes", text: "1048576") }
        // Together: the cross-key rules (a CA needs a certificate) hold for the whole set.
        try config.set(settings.map { (path: $0.key, text: $0.value) })
        return config
    }

    /// A CA and one node certificate with `commonName`; the `tls.*` settings that serve it.
    static func tlsSettings(_ certificates: TestCertificates, commonName: String) throws -> [String: String] {
        try certificates.makeCA("ca")
        let pair = try certificates.makeNode("node", commonName: commonName, ca: "ca")
        return ["tls.cert_file": pair.certificate, "tls.key_file": pair.key, "tls.ca_file": certificates.caPath("ca")]
    }

    static func code(_ call: () async throws -> Void) async -> StatusCode? {
        do {
            try await call()
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }

    @Test func workerRPCsAdmitOnlyTheNodesTheyServe() async throws {
        let certificates = TestCertificates()
        defer { certificates.remove() }
        let directory = TestSupport.temporaryDirectory("strata-secure-worker")
        let settings = try Self.tlsSettings(certificates, commonName: "strata-worker")
        let worker = try WorkerNode(config: Self.config(directory, settings), environment: Self.inProcess("w"))
        try worker.start()
        defer { ChunkStore.destroyWarmTier(directory: directory + "/store"); try? FileManager.default.removeItem(atPath: directory) }

        func channel(_ name: String?) -> InProcessChannel {
            InProcessChannel(target: "w", services: worker.runtime.services, peer: .inProcess(certifiedAs: name))
        }
        let write = ApplyWritesRequest(slot: 1, writes: [StrataWire.SlotWrite(sequence: 1, namespace: "docs", operation: .deleteDocument(id: "a"))])
        let apply = { (name: String?) in
            _ = try await channel(name).unary(MethodPath.workerApplyWrites, write.serializedBytes(), options: .default)
        }
        let stream = { (name: String?) in
            for try await _ in channel(name).serverStreaming(MethodPath.workerStreamSlot, StreamSlotRequest(slot: 1, afterSequence: 0).serializedBytes(), options: .default) {}
        }
        #expect(await Self.code { try await apply(nil) } == .unauthenticated)
        #expect(await Self.code { try await apply("intruder") } == .permissionDenied)
        #expect(await Self.code { try await apply("strata-worker") } == .permissionDenied)  // ApplyWrites is the coordinator's
        #expect(await Self.code { try await stream(nil) } == .unauthenticated)
        // Nothing refused was applied.
        #expect(try worker.openStore().lastSequence(of: 1) == 0)
        #expect(await Self.code { try await apply("strata-coordinator") } == nil)
        #expect(await Self.code { try await stream("strata-worker") } == nil)  // a peer copies a slot
        #expect(await Self.code { try await stream("strata-worker:w7") } == nil)
        // Health stays open to probes.
        #expect(await Self.code {
            _ = try await channel(nil).unary(MethodPath.healthCheck, HealthCheckRequest().serializedBytes(), options: .default)
        } == nil)
        let refused = worker.runtime.security.samples().filter { $0.name == "strata_node_admission_refused_total" }
        #expect(refused.reduce(0) { $0 + $1.value } == 4)
        await worker.shutdown()
    }

    @Test func registrationNeedsTheJoinSecretAndTheWorkersOwnName() async throws {
        let certificates = TestCertificates()
        defer { certificates.remove() }
        let directory = TestSupport.temporaryDirectory("strata-secure-coordinator")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = try Self.tlsSettings(certificates, commonName: "strata-coordinator")
        settings["tls.bind_worker_ids"] = "true"
        settings["cluster.join_secret"] = "0123456789abcdef-secret"
        let coordinator = try CoordinatorNode(config: Self.config(directory, settings), environment: Self.inProcess("c"))
        try coordinator.start()
        func register(_ name: String?, secret: String?, id: String) async -> StatusCode? {
            let channel = InProcessChannel(target: "c", services: coordinator.runtime.services, peer: .inProcess(certifiedAs: name))
            let options = CallOptions(metadata: secret.map { [(key: "x-strata-join-secret", value: $0)] } ?? [])
            return await Self.code {
                _ = try await channel.unary(MethodPath.membershipRegisterWorker,
                                            RegisterRequest(nodeID: id, address: "\(id):7401", incarnation: 1).serializedBytes(), options: options)
            }
        }
        #expect(await register("strata-worker:w1", secret: nil, id: "w1") == .unauthenticated)
        #expect(await register("strata-worker:w1", secret: "wrong-secret-of-16+", id: "w1") == .unauthenticated)
        #expect(await register("strata-worker:w1", secret: "0123456789abcdef-secret", id: "w2") == .permissionDenied)
        #expect(await register("strata-worker", secret: "0123456789abcdef-secret", id: "w3") == .permissionDenied)
        #expect(await register("strata-coordinator", secret: "0123456789abcdef-secret", id: "w4") == .permissionDenied)
        // Never placed: no refused worker is a member.
        #expect(coordinator.membership.snapshot().workers.isEmpty)
        #expect(await register("strata-worker:w1", secret: "0123456789abcdef-secret", id: "w1") == nil)
        #expect(coordinator.membership.snapshot().workers.map(\.id) == ["w1"])
        await coordinator.shutdown()
    }

    @Test func everyClientMethodHasARuleAndTokensFollowTheirScopes() async throws {
        let directory = TestSupport.temporaryDirectory("strata-secure-tokens")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let coordinator = try CoordinatorNode(
            config: Self.config(directory, ["auth.enabled": "true", "auth.bootstrap_token_file": directory + "/admin.token"]),
            environment: Self.inProcess("c"))
        try coordinator.start()
        // A method added without a rule would need admin (safe, but the table is the contract).
        let clientPaths = coordinator.runtime.services
            .filter { [StrataServiceName.coordinator, StrataServiceName.tokens].contains($0.name) }.flatMap(\.methodPaths)
        #expect(clientPaths.count == CoordinatorAccess.rules.count)
        for path in clientPaths { #expect(CoordinatorAccess.rules[path] != nil, "no access rule for \(path)") }

        let admin = try String(contentsOfFile: directory + "/admin.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let channel = InProcessChannel(target: "c", services: coordinator.runtime.services)
        func call(_ path: String, _ request: some RPCMessage, _ token: String?) async -> StatusCode? {
            await Self.code {
                _ = try await channel.unary(path, request.serializedBytes(),
                                            options: CallOptions(metadata: token.map { [(key: "authorization", value: "Bearer \($0)")] } ?? []))
            }
        }
        #expect(await call(MethodPath.coordinatorCreateNamespace, CreateNamespaceRequest(name: "docs"), admin) == nil)
        let created = try CreateTokenResponse(serializedBytes: await channel.unary(
            MethodPath.tokensCreate, CreateTokenRequest(name: "reader", scopes: ["read:docs"]).serializedBytes(),
            options: CallOptions(metadata: [(key: "authorization", value: "Bearer \(admin)")])))
        let reader = created.secret
        #expect(await call(MethodPath.coordinatorListNamespaces, ListNamespacesRequest(), nil) == .unauthenticated)
        #expect(await call(MethodPath.coordinatorNamespaceStatus, NamespaceStatusRequest(namespace: "docs"), reader) == nil)
        #expect(await call(MethodPath.coordinatorNamespaceStatus, NamespaceStatusRequest(namespace: "other"), reader) == .permissionDenied)
        #expect(await call(MethodPath.coordinatorDropNamespace, DropNamespaceRequest(name: "docs"), reader) == .permissionDenied)
        #expect(await call(MethodPath.tokensList, ListTokensRequest(), reader) == .permissionDenied)
        #expect(await call(MethodPath.tokensCreate, CreateTokenRequest(name: "bad", scopes: ["*"]), admin) == .invalidArgument)
        // Revoked: refused on the next call, no restart.
        #expect(await call(MethodPath.tokensRevoke, RevokeTokenRequest(name: "reader"), admin) == nil)
        #expect(await call(MethodPath.coordinatorNamespaceStatus, NamespaceStatusRequest(namespace: "docs"), reader) == .unauthenticated)
        // The registry on disk holds hashes only.
        let stored = try String(contentsOfFile: directory + "/tokens.json", encoding: .utf8)
        #expect(!stored.contains(reader) && !stored.contains(admin))
        await coordinator.shutdown()
    }
}
