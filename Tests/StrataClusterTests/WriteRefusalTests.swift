import StrataCore
import Testing

@testable import StrataCluster

@Suite("WriteRefusal")
struct WriteRefusalTests {
    private static func failure(_ worker: String, _ code: StrataError.Code, _ message: String) -> WriteRefusal.Failure {
        WriteRefusal.Failure(worker: worker, error: StrataError(code, message))
    }

    @Test("a full disk is RESOURCE_EXHAUSTED naming the worker, never its paths")
    func fullDisk() {
        let error = WriteRefusal.error(slot: 3, acknowledged: 1, required: 2, failures: [
            Self.failure("w2", .resourceExhausted, "disk full: write /var/lib/strata/w2/store/wal/00000003.wal: No space left on device"),
        ])
        #expect(error.code == .resourceExhausted)
        #expect(error.message == "slot 3: worker w2 cannot store the write: disk full: write <path>: No space left on device")
    }

    @Test("a write every replica refuses as invalid is INVALID_ARGUMENT; anything else UNAVAILABLE with each reason")
    func otherCodes() {
        let invalid = WriteRefusal.error(slot: 1, acknowledged: 0, required: 2, failures: [
            Self.failure("w1", .invalidArgument, "writes[0].put.chunks[0].vector has 3 dimensions, expected 4"),
            Self.failure("w2", .invalidArgument, "writes[0].put.chunks[0].vector has 3 dimensions, expected 4"),
        ])
        #expect(invalid == StrataError.invalidArgument("writes[0].put.chunks[0].vector has 3 dimensions, expected 4"))
        let down = WriteRefusal.error(slot: 1, acknowledged: 1, required: 2, failures: [
            Self.failure("w2", .unavailable, "failed to connect to 10.0.0.2:7401"),
        ])
        #expect(down == StrataError(.unavailable, "slot 1: 1 of 2 required replicas acknowledged (w2: unavailable: failed to connect to 10.0.0.2:7401)"))
    }

    @Test("paths are redacted, other slashes are kept")
    func redaction() {
        #expect(PathRedaction.redact("open /tmp/a/b.wal: denied") == "open <path>: denied")
        #expect(PathRedaction.redact("(at /srv/x/y) and \"/etc/z\"") == "(at <path>) and \"<path>\"")
        #expect(PathRedaction.redact("1/2 of replicas, a/b ids, /single") == "1/2 of replicas, a/b ids, /single")
        #expect(PathRedaction.redact("no path here") == "no path here")
    }
}
