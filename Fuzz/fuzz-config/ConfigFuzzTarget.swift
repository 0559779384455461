import StrataCore
import StrataFuzzSupport

/// The node config parser on arbitrary bytes (selector 0: a config file) and on arbitrary
/// `STRATA_*` / `--set` text for every key (selector 1: the key is picked by the next byte).
/// What must hold: a refusal is a `StrataError` that names a key or the source; an accepted
/// config is one that `validate()` accepts (cross-key rules hold).
func configTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    switch input.byte() % 2 {
    case 0:
        do {
            _ = try StrataConfig.parse(json: input.rest(), source: "fuzz.json")
        } catch {
            fuzzCheck(!error.message.isEmpty, "a refusal without a message")
        }
    default:
        let keys = StrataConfig.keyPaths
        let key = keys[Int(input.byte()) % keys.count]
        let text = String(decoding: input.rest(), as: UTF8.self)
        var config = StrataConfig.default
        do {
            try config.set(key, text: text)
        } catch {
            fuzzCheck(error.message.contains(key), "refusing \(key) does not name it: \(error.message)")
        }
        do {
            var environment = StrataConfig.default
            try environment.applyEnvironment(["STRATA_" + key.uppercased().replacingOccurrences(of: ".", with: "_"): text])
            fuzzCheck(environment == config, "\(key): the environment and --set disagree")
        } catch {
            fuzzCheck(error.message.contains(key), "refusing STRATA_ for \(key) does not name it: \(error.message)")
        }
    }
    return 0
}
