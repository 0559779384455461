import StrataAuth
import StrataCore
import StrataFuzzSupport

/// What the auth layer reads from outside: the tokens file (selector 0), the
/// `authorization` metadata of a call (1), scope lists from `token create` (2), and
/// certificate common names of node calls (3).
///
/// Properties: a tokens file that loads re-encodes to one that loads to the same registry;
/// a decision about arbitrary metadata never allows a call (no token in the registry matches
/// a guess) and never echoes the presented text; an accepted scope list prints back to
/// the same scopes; a parsed certificate name prints back to its common name.
enum AuthFuzzFixture {
    static let authorizer: Authorizer = {
        var registry = TokenRegistry.empty
        var random = SplitMix64(seed: 1)
        _ = try? registry.create(name: "reader", scopes: [.read(.named("docs"))], secret: TokenSecret.generate(using: &random), nowUnix: 1)
        _ = try? registry.create(name: "root", scopes: [.admin], secret: TokenSecret.generate(using: &random), nowUnix: 1)
        return Authorizer(registry: registry)
    }()
}

func authTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    switch input.byte() % 4 {
    case 0:
        guard let registry = try? TokenRegistry(json: input.rest(), source: "fuzz") else { return 0 }
        let again = try? TokenRegistry(json: registry.encodedJSON(), source: "fuzz")
        fuzzCheck(again == registry, "a loaded tokens file does not survive saving and loading")
    case 1:
        let text = String(decoding: input.rest(), as: UTF8.self)
        let decision = AuthFuzzFixture.authorizer.decide(authorization: text, required: .read(namespace: "docs"))
        switch decision {
        case .allowed: fuzzCheck(false, "a guessed token was allowed")
        case .unauthenticated(let message), .permissionDenied(let message):
            fuzzCheck(text.count < 8 || !containsBytes(message, text), "the refusal echoes the presented credential")
        }
    case 2:
        guard let scopes = try? Scope.parseList(String(decoding: input.rest(), as: UTF8.self)) else { return 0 }
        let printed = scopes.map(\.description).joined(separator: ",")
        fuzzCheck((try? Scope.parseList(printed)) == scopes, "scopes do not print back: \(printed)")
    default:
        let text = String(decoding: input.rest(), as: UTF8.self)
        guard let name = NodeCertificateName(commonName: text) else { return 0 }
        fuzzCheck(name.commonName == text, "certificate name \(text) prints back as \(name.commonName)")
    }
    return 0
}

/// Whether `needle`'s UTF-8 bytes occur in `haystack`'s. Byte-wise on purpose: Foundation's
/// `String.contains` on Linux stops reading the needle at a NUL, so a presented "\"" followed
/// by NULs "matched" every message with a quote in it (a false alarm the fuzzer found, kept in
/// Fuzz/regressions/auth).
func containsBytes(_ haystack: String, _ needle: String) -> Bool {
    let bytes = Array(haystack.utf8), wanted = Array(needle.utf8)
    guard wanted.count <= bytes.count else { return false }
    guard !wanted.isEmpty else { return true }
    return (0...(bytes.count - wanted.count)).contains { bytes[$0..<($0 + wanted.count)].elementsEqual(wanted) }
}
