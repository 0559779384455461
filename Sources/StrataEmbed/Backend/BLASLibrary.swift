import CStrataEmbed
import StrataCore

/// OpenBLAS, loaded once per process (see `strata_blas_load` for why it is loaded at run time
/// and how its kernel family is chosen).
public enum BLASLibrary {
    /// Loads it, or FAILED_PRECONDITION saying what is missing.
    public static func load() throws(StrataError) {
        var message = [CChar](repeating: 0, count: 512)
        guard strata_blas_load(&message, message.count) == 0 else {
            throw .failedPrecondition(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    /// The kernel family OpenBLAS runs ("SkylakeX", "Haswell", ...); empty before `load`.
    public static var coreName: String { String(cString: strata_blas_core_name()) }
}
