import StrataCore
import Testing
@testable import StrataAuth

@Suite struct NodeAdmissionTests {
    @Test func certificateNamesFollowTheConvention() {
        #expect(NodeCertificateName(commonName: "strata-coordinator") == NodeCertificateName(role: .coordinator))
        #expect(NodeCertificateName(commonName: "strata-worker") == NodeCertificateName(role: .worker))
        #expect(NodeCertificateName(commonName: "strata-worker:w-1a2b")?.nodeID == "w-1a2b")
        for name in ["", "worker:w1", "strata-worker:", "strata-worker:a:b", "strata-worker:a b", "Strata-Coordinator", "strata-coordinator:x"] {
            #expect(NodeCertificateName(commonName: name) == nil, "\(name)")
        }
        #expect(NodeCertificateName(role: .worker, nodeID: "w1").commonName == "strata-worker:w1")
        #expect(NodeCertificateName(role: .coordinator, nodeID: "w1").commonName == "strata-coordinator")
    }

    @Test func openPolicyAdmitsEveryoneUnverified() {
        #expect(NodeAdmission.decide(.open, NodeCallEvidence(), allowed: [.coordinator]) == .allowed(.unverified))
        #expect(NodeAdmissionPolicy.open.isOpen)
    }

    @Test func joinSecretIsRequiredAndCompared() throws {
        let policy = NodeAdmissionPolicy(requireCertificate: false, joinSecret: try JoinSecret("0123456789abcdef-cluster"))
        #expect(!policy.isOpen)
        #expect(NodeAdmission.decide(policy, NodeCallEvidence(), allowed: [.worker]).error?.code == .unauthenticated)
        #expect(NodeAdmission.decide(policy, NodeCallEvidence(joinSecret: "0123456789abcdef-clustex"), allowed: [.worker]).error?.code == .unauthenticated)
        #expect(NodeAdmission.decide(policy, NodeCallEvidence(joinSecret: "0123456789abcdef-cluster"), allowed: [.worker]) == .allowed(.member))
    }

    @Test func joinSecretsMustBeLongAndPrintable() {
        #expect(throws: StrataError.self) { try JoinSecret("short") }
        #expect(throws: StrataError.self) { try JoinSecret("0123456789abcdef with space") }
        #expect(throws: StrataError.self) { try JoinSecret("0123456789abcdef\u{7F}") }
        #expect((try? JoinSecret("0123456789abcdef"))?.matches("0123456789abcdef") == true)
        #expect((try? JoinSecret("0123456789abcdef"))?.matches("0123456789abcde") == false)
    }

    @Test func certificatePolicyFollowsTheTable() throws {
        let policy = NodeAdmissionPolicy(requireCertificate: true)
        let coordinator = NodeCallEvidence(verifiedCommonName: "strata-coordinator")
        let worker1 = NodeCallEvidence(verifiedCommonName: "strata-worker:w1")
        let anyWorker = NodeCallEvidence(verifiedCommonName: "strata-worker")

        #expect(NodeAdmission.decide(policy, NodeCallEvidence(), allowed: [.coordinator]).error?.code == .unauthenticated)
        // A client token's holder has no node certificate; a certificate for something else is no node.
        let stranger = NodeAdmission.decide(policy, NodeCallEvidence(verifiedCommonName: "alice"), allowed: [.coordinator])
        #expect(stranger.error?.code == .permissionDenied)
        #expect(stranger.error?.message.contains("alice") == true)

        #expect(NodeAdmission.decide(policy, coordinator, allowed: [.coordinator]) == .allowed(.certified(NodeCertificateName(role: .coordinator))))
        let workerOnCoordinatorRPC = NodeAdmission.decide(policy, worker1, allowed: [.coordinator])
        #expect(workerOnCoordinatorRPC.error?.code == .permissionDenied)
        #expect(workerOnCoordinatorRPC.error?.message.contains("is a worker") == true)
        #expect(NodeAdmission.decide(policy, coordinator, allowed: [.worker]).error?.code == .permissionDenied)
        #expect(NodeAdmission.decide(policy, worker1, allowed: [.coordinator, .worker]) == .allowed(.certified(NodeCertificateName(role: .worker, nodeID: "w1"))))

        // Bound worker certificates act only as their own node.
        #expect(NodeAdmission.decide(policy, worker1, allowed: [.worker], actingAs: "w1").error == nil)
        let impostor = NodeAdmission.decide(policy, worker1, allowed: [.worker], actingAs: "w2")
        #expect(impostor.error?.code == .permissionDenied)
        #expect(impostor.error?.message.contains("only as worker w1, not w2") == true)

        // Unbound worker certificates: allowed unless the cluster requires bound names.
        #expect(NodeAdmission.decide(policy, anyWorker, allowed: [.worker], actingAs: "w2").error == nil)
        var strict = policy
        strict.requireBoundWorkerNames = true
        #expect(NodeAdmission.decide(strict, anyWorker, allowed: [.worker], actingAs: "w2").error?.code == .permissionDenied)
        #expect(NodeAdmission.decide(strict, worker1, allowed: [.worker], actingAs: "w1").error == nil)
    }

    @Test func certificateAndJoinSecretTogetherNeedBoth() throws {
        let policy = NodeAdmissionPolicy(requireCertificate: true, joinSecret: try JoinSecret("0123456789abcdef"))
        #expect(NodeAdmission.decide(policy, NodeCallEvidence(verifiedCommonName: "strata-coordinator"), allowed: [.coordinator]).error?.code == .unauthenticated)
        #expect(NodeAdmission.decide(policy, NodeCallEvidence(joinSecret: "0123456789abcdef"), allowed: [.coordinator]).error?.code == .unauthenticated)
        #expect(NodeAdmission.decide(policy, NodeCallEvidence(verifiedCommonName: "strata-coordinator", joinSecret: "0123456789abcdef"),
                                     allowed: [.coordinator]).error == nil)
    }
}
