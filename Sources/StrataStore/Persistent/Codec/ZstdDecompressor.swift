import CStrataSupport
import StrataCore

/// Owner of one zstd decompression context. Not thread-safe: one per reader (see `ZstdPool`).
final class ZstdDecompressor {
    private let handle: OpaquePointer

    init() {
        guard let handle = strata_zstd_decompressor_create() else { fatalError("zstd: out of memory") }
        self.handle = handle
    }

    deinit { strata_zstd_decompressor_free(handle) }

    /// Decompresses `input`, which must decompress to exactly `expectedSize` bytes.
    func decompress(_ input: ArraySlice<UInt8>, expectedSize: Int, what: @autoclosure () -> String) throws(StrataError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expectedSize)
        let produced = output.withUnsafeMutableBytes { dst in
            input.withUnsafeBytes { src in
                strata_zstd_decompress(handle, dst.baseAddress, expectedSize, src.baseAddress, src.count)
            }
        }
        guard produced == expectedSize else {
            throw .dataLoss("\(what()): zstd block does not decompress to \(expectedSize) bytes")
        }
        return output
    }
}
