import StrataRPC
import StrataWire
import Testing

/// Inputs libFuzzer found (fuzz-wire) that trapped a decoder; each must decode or be refused.
@Suite struct WireFuzzFoundTests {
    /// A health status of 2^32 - 1 (what a negative enum value becomes in protobuf-c) trapped
    /// the UInt32 → Int32 conversion: a hostile server could crash `strata health`.
    @Test func healthStatusBeyondInt32IsUnknown() throws {
        let bytes: [UInt8] = [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x04]
        #expect(try HealthCheckResponse(serializedBytes: bytes).status == .unknown)
        #expect(try HealthCheckResponse(serializedBytes: [0x08, 0x02]).status == .notServing)
    }
}
