import Foundation
import StrataRPC
import StrataTestSupport
import StrataWire
import Synchronization
import Testing

// Serialized: each test makes its certificates with openssl, synchronously, on a thread of the
// cooperative pool; eight at once starved the pool that runs the servers' handlers (DEADLINE_EXCEEDED
// in a loaded parallel run).
/// TLS and mutual TLS over gRPC core, with throw-away CAs made by openssl.
@Suite(.serialized) struct TLSTests {
    /// A cluster CA, a second CA nobody trusts, and certificates: the server's
    /// (CN strata-coordinator) and a worker's from the cluster CA, an impostor's from the other.
    final class Fixture: Sendable {
        let certificates = TestCertificates()
        let clusterCA: String
        let otherCA: String
        let server: TestCertificates.Pair
        let worker: TestCertificates.Pair
        let impostor: TestCertificates.Pair

        init() throws {
            clusterCA = try certificates.makeCA("cluster")
            otherCA = try certificates.makeCA("other")
            server = try certificates.makeNode("server", commonName: "strata-coordinator", ca: "cluster")
            worker = try certificates.makeNode("worker", commonName: "strata-worker:w1", ca: "cluster")
            impostor = try certificates.makeNode("impostor", commonName: "strata-worker:w1", ca: "other")
        }

        deinit { certificates.remove() }

        func makeServer(_ pair: TestCertificates.Pair? = nil, clientCertificates: ClientCertificates = .none, reloadEvery: Duration? = nil,
                        onReload: (@Sendable (TLSReloadEvent) -> Void)? = nil) throws -> RPCServer {
            let pair = pair ?? server
            let files = TLSFiles(certificateChain: pair.certificate, privateKey: pair.key,
                                 trustedRoots: clientCertificates == .none ? nil : clusterCA)
            let server = try RPCServer(
                settings: ServerSettings(address: "127.0.0.1:0", security: .tls(ServerTLS(
                    files: files, clientCertificates: clientCertificates, reloadCheckInterval: reloadEvery, onReload: onReload))),
                services: [EchoServiceTestDouble.definition(EchoServiceTestDouble.Observations())])
            try server.start()
            return server
        }

        func channel(to server: RPCServer, trusting ca: String? = nil, presenting pair: TestCertificates.Pair? = nil) throws -> RPCChannel {
            let tls = try ChannelTLS(files: TLSFiles(certificateChain: pair?.certificate, privateKey: pair?.key, trustedRoots: ca ?? clusterCA))
            return RPCChannel(target: "127.0.0.1:\(server.port)", security: .tls(tls))
        }
    }

    /// A guard against a hang, not a speed check. Swift Testing starts every test of the
    /// process at once on a cooperative pool as wide as the cores, and the handler runs on that
    /// pool too: on CI's two cores a handler has waited more than 60 s for a thread.
    static let hangGuard = CallOptions(timeout: .seconds(300))

    /// What the Whoami handler saw, by key.
    static func whoami(_ channel: any RPCTransport, options: CallOptions = hangGuard) async throws -> [String: String] {
        let bytes = try await channel.unary(EchoServiceTestDouble.path("Whoami"), HealthCheckRequest(service: "").serializedBytes(), options: options)
        var seen: [String: String] = [:]
        for line in try HealthCheckRequest(serializedBytes: bytes).service.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            seen[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return seen
    }

    static func refusal(_ channel: RPCChannel) async -> RPCError? {
        await #expect(throws: RPCError.self) { _ = try await whoami(channel) }
    }

    @Test func roundTripOverTLSAndTheHandlerSeesTheTransport() async throws {
        let fixture = try Fixture()
        let server = try fixture.makeServer()
        defer { server.shutdownBlocking() }
        let seen = try await Self.whoami(try fixture.channel(to: server))
        #expect(seen["transport"] == "tls")
        #expect(seen["authenticated"] == "false")  // no client certificate asked for
        #expect(seen["address"]?.hasPrefix("ipv4:127.0.0.1:") == true)
    }

    @Test func plaintextClientIsRefusedAndTheServerKeepsServing() async throws {
        let fixture = try Fixture()
        let server = try fixture.makeServer()
        defer { server.shutdownBlocking() }
        let plaintext = RPCChannel(target: "127.0.0.1:\(server.port)")
        #expect(await Self.refusal(plaintext)?.code == .unavailable)
        #expect(try await Self.whoami(try fixture.channel(to: server))["transport"] == "tls")
    }

    @Test func clientThatDoesNotTrustTheServersCAIsRefused() async throws {
        let fixture = try Fixture()
        let server = try fixture.makeServer()
        defer { server.shutdownBlocking() }
        #expect(await Self.refusal(try fixture.channel(to: server, trusting: fixture.otherCA))?.code == .unavailable)
    }

    @Test func mutualTLSRefusesClientsWithoutACertificateOrFromAnotherCA() async throws {
        let fixture = try Fixture()
        let server = try fixture.makeServer(clientCertificates: .required)
        defer { server.shutdownBlocking() }
        #expect(await Self.refusal(try fixture.channel(to: server))?.code == .unavailable)
        #expect(await Self.refusal(try fixture.channel(to: server, presenting: fixture.impostor))?.code == .unavailable)

        let seen = try await Self.whoami(try fixture.channel(to: server, presenting: fixture.worker))
        #expect(seen["authenticated"] == "true")
        #expect(seen["verified_cn"] == "strata-worker:w1")
        #expect(seen["sans"]?.contains("localhost") == true)
        #expect(seen["sans"]?.contains("127.0.0.1") == true)
        // gRPC's own notion of the peer identity: the SANs when the certificate has them.
        #expect(seen["identity_property"] == "x509_subject_alternative_name")
        #expect(seen["identities"] == seen["sans"])
    }

    /// The coordinator's mode: workers present certificates (verified), CLI clients none.
    @Test func optionalClientCertificatesAreVerifiedWhenPresented() async throws {
        let fixture = try Fixture()
        let server = try fixture.makeServer(clientCertificates: .optional)
        defer { server.shutdownBlocking() }
        let anonymous = try await Self.whoami(try fixture.channel(to: server))
        #expect(anonymous["authenticated"] == "false" && anonymous["verified_cn"] == "" && anonymous["identity_property"] == "")
        let worker = try await Self.whoami(try fixture.channel(to: server, presenting: fixture.worker))
        #expect(worker["authenticated"] == "true" && worker["verified_cn"] == "strata-worker:w1")
        // A certificate from another CA is not "unverified but let in": the handshake fails.
        #expect(await Self.refusal(try fixture.channel(to: server, presenting: fixture.impostor))?.code == .unavailable)
    }

    @Test func requestMetadataReachesTheHandler() async throws {
        let fixture = try Fixture()
        let server = try fixture.makeServer()
        defer { server.shutdownBlocking() }
        let options = CallOptions(timeout: Self.hangGuard.timeout, metadata: [(key: "authorization", value: "Bearer strata_abc")])
        #expect(try await Self.whoami(try fixture.channel(to: server), options: options)["authorization"] == "Bearer strata_abc")
    }

    @Test func plaintextCallsSayTheyArePlaintext() async throws {
        let harness = try RPCTestHarness()
        let seen = try await Self.whoami(harness.channel)
        #expect(seen["transport"] == "insecure" && seen["authenticated"] == "false" && seen["cn"] == "")
    }

    @Test func badFilesStopTheServerFromStartingNamingTheFile() throws {
        let fixture = try Fixture()
        let missing = TestCertificates.Pair(certificate: fixture.certificates.directory + "/nope.pem", key: fixture.server.key)
        let error = #expect(throws: RPCError.self) { _ = try fixture.makeServer(missing) }
        #expect(error?.message.contains("nope.pem") == true)
        let mismatched = TestCertificates.Pair(certificate: fixture.server.certificate, key: fixture.worker.key)
        let mismatch = #expect(throws: RPCError.self) { _ = try fixture.makeServer(mismatched) }
        #expect(mismatch?.message.contains("does not belong") == true)
        let notPEM = TestCertificates.Pair(certificate: fixture.server.key, key: fixture.server.key)
        #expect(throws: RPCError.self) { _ = try fixture.makeServer(notPEM) }
    }

    /// Rotation: the served files are replaced by a certificate from another CA. A half-done
    /// rotation (new certificate, old key) is refused and the old pair stays in use; once
    /// the key follows, new connections get the new certificate, and a connection made
    /// before the rotation keeps working (nothing is dropped, nothing restarts).
    @Test func rotatedCertificatesAreServedWithoutARestart() async throws {
        let fixture = try Fixture()
        let rotated = try fixture.certificates.makeNode("rotated", commonName: "strata-coordinator", ca: "other")
        let live = TestCertificates.Pair(certificate: fixture.certificates.directory + "/live.pem", key: fixture.certificates.directory + "/live.key")
        try Self.copy(fixture.server, to: live)
        let events = Mutex<[TLSReloadEvent]>([])
        let server = try fixture.makeServer(live) { event in events.withLock { $0.append(event) } }
        defer { server.shutdownBlocking() }

        let before = try fixture.channel(to: server)
        #expect(try await Self.whoami(before)["transport"] == "tls")
        #expect(await Self.refusal(try fixture.channel(to: server, trusting: fixture.otherCA))?.code == .unavailable)
        #expect(try server.reloadCertificates() == false)  // nothing changed

        try FileManager.default.removeItem(atPath: live.certificate)
        try FileManager.default.copyItem(atPath: rotated.certificate, toPath: live.certificate)
        let halfDone = #expect(throws: RPCError.self) { try server.reloadCertificates() }
        #expect(halfDone?.message.contains("does not belong") == true)
        #expect(throws: RPCError.self) { try server.reloadCertificates() }
        #expect(events.withLock { $0.count } == 1)  // the refusal is told once
        #expect(try await Self.whoami(try fixture.channel(to: server))["transport"] == "tls")  // still the old pair

        try FileManager.default.removeItem(atPath: live.key)
        try FileManager.default.copyItem(atPath: rotated.key, toPath: live.key)
        #expect(try server.reloadCertificates() == true)
        #expect(events.withLock { $0.last } == .installed(commonName: "strata-coordinator"))
        #expect(try await Self.whoami(try fixture.channel(to: server, trusting: fixture.otherCA))["transport"] == "tls")
        #expect(await Self.refusal(try fixture.channel(to: server))?.code == .unavailable)
        #expect(try await Self.whoami(before)["transport"] == "tls")
    }

    /// Without anyone calling reload: the server notices changed files by itself.
    @Test func changedFilesAreNoticedByThePeriodicCheck() async throws {
        let fixture = try Fixture()
        let rotated = try fixture.certificates.makeNode("rotated", commonName: "strata-coordinator", ca: "other")
        let live = TestCertificates.Pair(certificate: fixture.certificates.directory + "/live.pem", key: fixture.certificates.directory + "/live.key")
        try Self.copy(fixture.server, to: live)
        let installed = Atomic<Int>(0)
        let server = try fixture.makeServer(live, reloadEvery: .milliseconds(20)) { event in
            if case .installed = event { installed.add(1, ordering: .relaxed) }
        }
        defer { server.shutdownBlocking() }
        try Self.copy(rotated, to: live)
        let giveUp = ContinuousClock.now + .seconds(300)  // a hang guard (see hangGuard)
        while installed.load(ordering: .relaxed) == 0, ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(10)) }
        #expect(installed.load(ordering: .relaxed) == 1)
        #expect(try await Self.whoami(try fixture.channel(to: server, trusting: fixture.otherCA))["transport"] == "tls")
    }

    @Test func serverNameOverrideChecksAnotherName() async throws {
        let fixture = try Fixture()
        let named = try fixture.certificates.makeNode("named", commonName: "strata-coordinator", ca: "cluster",
                                                      subjectAlternativeNames: ["DNS:coordinator.strata.internal"])
        let server = try fixture.makeServer(named)
        defer { server.shutdownBlocking() }
        // Dialled by address, the certificate does not match the host ...
        #expect(await Self.refusal(try fixture.channel(to: server))?.code == .unavailable)
        // ... unless the client checks the name the certificate was issued for.
        let tls = try ChannelTLS(files: TLSFiles(trustedRoots: fixture.clusterCA), serverNameOverride: "coordinator.strata.internal")
        let channel = RPCChannel(target: "127.0.0.1:\(server.port)", security: .tls(tls))
        #expect(try await Self.whoami(channel)["transport"] == "tls")
    }

    @Test func reloadOnAPlaintextServerIsRefused() throws {
        let harness = try RPCTestHarness()
        #expect(throws: RPCError.self) { try harness.server.reloadCertificates() }
    }

    /// Replaces `to` with copies of `from` (each file replaced whole by a rename, as a
    /// deployment tool would).
    static func copy(_ from: TestCertificates.Pair, to: TestCertificates.Pair) throws {
        for (source, target) in [(from.certificate, to.certificate), (from.key, to.key)] {
            try? FileManager.default.removeItem(atPath: target + ".new")
            try FileManager.default.copyItem(atPath: source, toPath: target + ".new")
            _ = rename(target + ".new", target)
        }
    }
}
