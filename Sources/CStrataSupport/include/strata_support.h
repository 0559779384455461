#pragma once
// CStrataSupport: small C leaves used by StrataStore and StrataSearch.
// Checksums (CRC32C), content hashing (XXH3-128 via libxxhash) and compression
// (zstd via libzstd). Stateful C objects are opaque handles with create/free pairs.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// CRC32C (Castagnoli). Pass 0 as `crc` to start; feed the previous result to continue.
/// Uses the SSE4.2 `crc32` instruction when the CPU has it, a table otherwise.
uint32_t strata_crc32c(uint32_t crc, const void *data, size_t length);
/// The software (table) path, exposed so tests can check both paths agree.
uint32_t strata_crc32c_software(uint32_t crc, const void *data, size_t length);
/// 1 when the hardware path is used.
int strata_crc32c_is_hardware(void);

/// 1 when `data` is well-formed UTF-8 (no overlong forms, surrogates or code points above
/// U+10FFFF), 0 otherwise. Checks without building a string; ASCII runs go 8 bytes at a time.
int strata_utf8_is_valid(const void *data, size_t length);

/// XXH3-128 of `data`.
void strata_xxh3_128(const void *data, size_t length, uint64_t *high, uint64_t *low);

/// Upper bound of the compressed size of `length` bytes.
size_t strata_zstd_bound(size_t length);

/// An opaque zstd compression context (reused across calls: allocation is the slow part).
typedef struct strata_zstd_compressor strata_zstd_compressor;
strata_zstd_compressor *strata_zstd_compressor_create(int level);
void strata_zstd_compressor_free(strata_zstd_compressor *compressor);
/// Returns the compressed size, or -1 on error.
int64_t strata_zstd_compress(strata_zstd_compressor *compressor, void *dst, size_t capacity,
                             const void *src, size_t length);

/// An opaque zstd decompression context.
typedef struct strata_zstd_decompressor strata_zstd_decompressor;
strata_zstd_decompressor *strata_zstd_decompressor_create(void);
void strata_zstd_decompressor_free(strata_zstd_decompressor *decompressor);
/// Decompressed size recorded in the frame header, or -1 when unknown or invalid.
int64_t strata_zstd_frame_content_size(const void *src, size_t length);
/// Returns the decompressed size, or -1 on error (corrupt input, too small `capacity`).
int64_t strata_zstd_decompress(strata_zstd_decompressor *decompressor, void *dst, size_t capacity,
                               const void *src, size_t length);

/// Opens `path` for writing with O_DIRECT|O_CREAT|O_TRUNC (benchmarks measure raw disk
/// bandwidth with it). Returns the fd or -1 with errno set.
int strata_open_direct(const char *path);
/// Gives back the storage of [offset, offset + length) of `fd` (fallocate with
/// FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE): the range reads as zeros and, on tmpfs, its
/// pages return to the machine. Returns 0 or the errno.
int strata_punch_hole(int fd, int64_t offset, int64_t length);

/// IEEE half → single precision for `count` values (exact; NaN payloads kept, quieted).
/// Uses F16C (`vcvtph2ps`) when the CPU has it, the scalar path otherwise.
void strata_f16_to_f32(const uint16_t *src, float *dst, size_t count);
/// Single → half precision, round to nearest even (overflow gives ±Inf, NaN stays NaN).
/// Uses F16C (`vcvtps2ph`) when the CPU has it, the scalar path otherwise.
void strata_f32_to_f16(const float *src, uint16_t *dst, size_t count);
/// The scalar (bit-manipulation) paths, exposed so tests can check both paths agree.
void strata_f16_to_f32_software(const uint16_t *src, float *dst, size_t count);
void strata_f32_to_f16_software(const float *src, uint16_t *dst, size_t count);
/// 1 when the F16C paths are used.
int strata_f16c_is_hardware(void);

/// Dot product of `count` FP16 values (bit patterns, unaligned allowed) with `count` floats.
/// The order of the float operations is fixed (eight lanes in each of four accumulators over
/// 32-value blocks, then eight-value blocks into the first, a fixed reduction tree, the tail
/// last; multiplies and adds never fused), so the F16C path and the scalar path return the
/// same bits on every CPU: replicas of a slot on different machines rank alike.
float strata_dot_f16(const uint16_t *halves, const float *values, size_t count);
/// The scalar path of `strata_dot_f16`, exposed so tests can check both paths agree.
float strata_dot_f16_software(const uint16_t *halves, const float *values, size_t count);

/// The INT8 vector scan: for each of `row_count` rows of `stride` int8 values (stride a
/// multiple of 32, values in -127...127, as `Int8Vector` quantizes), writes
/// `(float)dot(row, query) * scales[row] * query_scale` to `scores[row]`. The integer dot is
/// exact on every path (AVX2 `vpmaddubsw` cannot saturate for values within ±127), so the
/// AVX2 path and the portable path return the same bits.
void strata_int8_scan(const int8_t *rows, size_t row_count, size_t stride, const int8_t *query,
                      const float *scales, float query_scale, float *scores);
/// The portable path of `strata_int8_scan`, exposed so tests can check both paths agree.
void strata_int8_scan_software(const int8_t *rows, size_t row_count, size_t stride, const int8_t *query,
                               const float *scales, float query_scale, float *scores);
/// 1 when `strata_int8_scan` uses AVX2.
int strata_int8_scan_is_avx2(void);

/* Hands malloc's free heap pages back to the kernel (glibc malloc_trim(0)). */
void strata_release_free_memory(void);

#ifdef __cplusplus
}
#endif
