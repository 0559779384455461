import CStrataSupport
import StrataCore

/// Owner of one zstd compression context. Not thread-safe: one per writer.
final class ZstdCompressor {
    private let handle: OpaquePointer

    init(level: Int32 = 1) {
        // Allocation failure of a few hundred KB means the process is out of memory anyway.
        guard let handle = strata_zstd_compressor_create(level) else { fatalError("zstd: out of memory") }
        self.handle = handle
    }

    deinit { strata_zstd_compressor_free(handle) }

    /// Compressed bytes of `input`.
    func compress(_ input: [UInt8]) -> [UInt8] {
        let capacity = strata_zstd_bound(input.count)
        // Uninitialized output: zero-filling a buffer zstd overwrites anyway costs a page fault per 4 KiB.
        return [UInt8](unsafeUninitializedCapacity: capacity) { dst, count in
            let written = input.withUnsafeBytes { src in
                strata_zstd_compress(handle, dst.baseAddress, capacity, src.baseAddress, src.count)
            }
            // Compression into a buffer of compressBound size cannot fail for valid input.
            precondition(written >= 0, "zstd compression failed")
            count = Int(written)
        }
    }

    /// Compresses `input` into the start of `output`, which must hold at least
    /// `strata_zstd_bound(input.count)` bytes (a reused buffer: no allocation, no page faults).
    /// Returns the compressed size.
    func compress(_ input: [UInt8], into output: inout [UInt8]) -> Int {
        let capacity = output.count
        precondition(capacity >= strata_zstd_bound(input.count), "zstd output buffer too small")
        let written = output.withUnsafeMutableBytes { dst in
            input.withUnsafeBytes { src in
                strata_zstd_compress(handle, dst.baseAddress, capacity, src.baseAddress, src.count)
            }
        }
        precondition(written >= 0, "zstd compression failed")
        return Int(written)
    }
}
