import Foundation
import StrataCore
import StrataEtcd
import StrataRPC
import StrataTestSupport
import Testing

/// The etcd client over TLS (issue 15): a member started with a certificate and
/// `--client-cert-auth` answers a client that trusts its CA and presents a certificate of the
/// same CA, and refuses one without a certificate or speaking plain TCP.
@Suite(.enabled(if: EtcdAvailability.installed, EtcdAvailability.reason))
struct EtcdTLSTests {
    @Test func mutualTLSIsSpokenAndRequired() async throws {
        let certificates = TestCertificates()
        defer { certificates.remove() }
        let ca = try certificates.makeCA("etcd-ca")
        let server = try certificates.makeNode("etcd", commonName: "etcd", ca: "etcd-ca")
        let coordinator = try certificates.makeNode("coordinator", commonName: "strata-coordinator", ca: "etcd-ca")
        let mutual = ChannelSecurity.tls(try ChannelTLS(files: TLSFiles(certificateChain: coordinator.certificate,
                                                                         privateKey: coordinator.key, trustedRoots: ca)))
        let etcd = try await LocalEtcd.start(tls: LocalEtcd.TLS(certificate: server.certificate, key: server.key, ca: ca,
                                                                clientCertificateAuth: true, client: mutual))
        defer { etcd.stop() }

        let client = EtcdClient(try EtcdClientSettings(endpoints: etcd.endpoints.map { "https://\($0)" }, requestTimeout: .seconds(3),
                                                       security: mutual))
        _ = try await client.put(EtcdPutRequest(key: Array("/tls".utf8), value: Array("secret".utf8)))
        #expect(try await client.range(EtcdRangeRequest(key: Array("/tls".utf8))).kvs.first?.value == Array("secret".utf8))

        // Trusting the CA but presenting no certificate: etcd refuses the handshake.
        let anonymous = EtcdClient(try EtcdClientSettings(
            endpoints: etcd.endpoints, requestTimeout: .seconds(2),
            security: .tls(try ChannelTLS(files: TLSFiles(trustedRoots: ca)))))
        let refused = await #expect(throws: EtcdError.self) { try await anonymous.range(EtcdRangeRequest(key: Array("/tls".utf8))) }
        #expect(refused?.kind == .unavailable)
        // Plain TCP to a TLS port gets nothing either.
        let plain = EtcdClient(try EtcdClientSettings(endpoints: etcd.endpoints, requestTimeout: .seconds(2)))
        await #expect(throws: EtcdError.self) { try await plain.range(EtcdRangeRequest(key: Array("/tls".utf8))) }
    }

    @Test func endpointSchemesMustMatchTheSecurity() throws {
        let tls = ChannelSecurity.tls(ChannelTLS(material: TLSMaterial(trustedRoots: "roots")))
        #expect(try EtcdClientSettings(endpoints: ["https://e:2379", "f:2379"], security: tls).endpoints == ["e:2379", "f:2379"])
        let plainWithTLS = #expect(throws: (any Error).self) { try EtcdClientSettings(endpoints: ["e:2379", "http://f:2379"], security: tls) }
        #expect("\(plainWithTLS!)".contains("endpoints[1]"))
        let tlsWithoutCA = #expect(throws: (any Error).self) { try EtcdClientSettings(endpoints: ["https://e:2379"]) }
        #expect("\(tlsWithoutCA!)".contains("coordinator.etcd_ca_file"))
    }
}
