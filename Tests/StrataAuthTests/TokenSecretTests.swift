import StrataCore
import Testing
@testable import StrataAuth

@Suite struct TokenSecretTests {
    @Test func generatedTokensHaveTheDocumentedShapeAndDiffer() {
        let a = TokenSecret.generate()
        let b = TokenSecret.generate()
        #expect(a != b)
        #expect(a.revealed.hasPrefix("strata_"))
        #expect(a.revealed.utf8.count == 7 + 64)
        #expect(TokenSecret(parsing: a.revealed) == a)
    }

    @Test func generationUsesAllOfTheGeneratorsBits() {
        var random = SplitMix64(seed: 7)
        let secret = TokenSecret.generate(using: &random)
        var again = SplitMix64(seed: 7)
        #expect(TokenSecret.generate(using: &again) == secret)
        // 32 bytes from four 64-bit words: no run of zero bytes from unused bits.
        #expect(!secret.revealed.contains("00000000"))
    }

    @Test func parsingRefusesAnythingElse() {
        let good = "strata_" + String(repeating: "ab", count: 32)
        #expect(TokenSecret(parsing: good) != nil)
        for bad in ["", "strata_", good + "0", String(good.dropLast()), good.uppercased(), "strata-" + String(repeating: "ab", count: 32),
                    "strata_" + String(repeating: "zz", count: 32), " " + good] {
            #expect(TokenSecret(parsing: bad) == nil, "\(bad)")
        }
    }

    /// SHA-256 test vectors (FIPS 180-2), through the C leaf.
    @Test func hashIsSHA256() {
        #expect(TokenHash(of: []).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(TokenHash(of: Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let hash = TokenHash(of: Array("abc".utf8))
        #expect(TokenHash(hex: hash.hex) == hash)
        #expect(TokenHash(hex: "ab") == nil)
        #expect(hash.description.hasPrefix("sha256:"))
    }

    @Test func constantTimeEqualityIsEquality() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([0, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 3]))
        #expect(ConstantTime.equals([], []))
    }
}
