#define _GNU_SOURCE
#include "strata_support.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <malloc.h>
#include <pthread.h>
#include <string.h>
#include <stdlib.h>
#include <xxhash.h>
#include <zstd.h>

// MARK: CRC32C

static uint32_t crc32c_table[8][256];
static int crc32c_table_ready = 0;

static void crc32c_build_table(void) {
    // Reflected Castagnoli polynomial.
    const uint32_t poly = 0x82F63B78u;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
        crc32c_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = crc32c_table[0][i];
        for (int t = 1; t < 8; t++) {
            c = crc32c_table[0][c & 0xFF] ^ (c >> 8);
            crc32c_table[t][i] = c;
        }
    }
    __atomic_store_n(&crc32c_table_ready, 1, __ATOMIC_RELEASE);
}

uint32_t strata_crc32c_software(uint32_t crc, const void *data, size_t length) {
    // Building the table twice from two threads is harmless: both write the same values.
    if (!__atomic_load_n(&crc32c_table_ready, __ATOMIC_ACQUIRE)) crc32c_build_table();
    const uint8_t *p = (const uint8_t *)data;
    uint32_t c = ~crc;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        uint32_t lo = (uint32_t)word ^ c;
        uint32_t hi = (uint32_t)(word >> 32);
        c = crc32c_table[7][lo & 0xFF] ^ crc32c_table[6][(lo >> 8) & 0xFF] ^
            crc32c_table[5][(lo >> 16) & 0xFF] ^ crc32c_table[4][lo >> 24] ^
            crc32c_table[3][hi & 0xFF] ^ crc32c_table[2][(hi >> 8) & 0xFF] ^
            crc32c_table[1][(hi >> 16) & 0xFF] ^ crc32c_table[0][hi >> 24];
        p += 8;
        length -= 8;
    }
    while (length--) c = crc32c_table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}

#if defined(__x86_64__)
// Three independent crc32 streams over adjacent blocks hide the instruction's 3-cycle latency
// (one crc32 per cycle instead of one per three: ~3x the single stream's speed on long
// buffers such as search-index snapshots and segment blocks). The three results are joined
// by moving the earlier blocks' CRCs past the later blocks: appending `length` zero bytes to a
// raw CRC state is linear over GF(2), so it is the XOR of what it does to each of the 32 bits
// of the state, tabulated per byte of the state (`crc32c_shift`).
#define CRC32C_LONG 8192
#define CRC32C_SHORT 256

static uint32_t crc32c_long_shift[4][256];
static uint32_t crc32c_short_shift[4][256];
static pthread_once_t crc32c_shift_once = PTHREAD_ONCE_INIT;

/// The raw CRC state `state` after `length` zero bytes (a multiple of 8), by the instruction.
__attribute__((target("sse4.2")))
static uint32_t crc32c_after_zeros(uint32_t state, size_t length) {
    uint64_t c = state;
    for (size_t i = 0; i < length; i += 8) c = __builtin_ia32_crc32di(c, 0);
    return (uint32_t)c;
}

/// The operator "append `length` zero bytes" as four per-byte tables: each entry is the XOR of
/// the images of the state bits its byte value sets.
static void crc32c_zeros_tables(uint32_t tables[4][256], size_t length) {
    uint32_t image[32];
    for (int bit = 0; bit < 32; bit++) image[bit] = crc32c_after_zeros(1u << bit, length);
    for (int k = 0; k < 4; k++) {
        for (uint32_t n = 0; n < 256; n++) {
            uint32_t sum = 0;
            for (int bit = 0; bit < 8; bit++) {
                if (n & (1u << bit)) sum ^= image[8 * k + bit];
            }
            tables[k][n] = sum;
        }
    }
}

static void crc32c_build_shift_tables(void) {
    crc32c_zeros_tables(crc32c_long_shift, CRC32C_LONG);
    crc32c_zeros_tables(crc32c_short_shift, CRC32C_SHORT);
}

static inline uint32_t crc32c_shift(uint32_t tables[4][256], uint32_t crc) {
    return tables[0][crc & 0xFF] ^ tables[1][(crc >> 8) & 0xFF] ^ tables[2][(crc >> 16) & 0xFF] ^ tables[3][crc >> 24];
}

__attribute__((target("sse4.2")))
static inline const uint8_t *crc32c_three_way(uint64_t *crc, const uint8_t *p, size_t block, uint32_t tables[4][256]) {
    uint64_t c0 = *crc, c1 = 0, c2 = 0;
    const uint8_t *end = p + block;
    do {
        uint64_t w0, w1, w2;
        memcpy(&w0, p, 8);
        memcpy(&w1, p + block, 8);
        memcpy(&w2, p + 2 * block, 8);
        c0 = __builtin_ia32_crc32di(c0, w0);
        c1 = __builtin_ia32_crc32di(c1, w1);
        c2 = __builtin_ia32_crc32di(c2, w2);
        p += 8;
    } while (p < end);
    c0 = crc32c_shift(tables, (uint32_t)c0) ^ (uint32_t)c1;
    c0 = crc32c_shift(tables, (uint32_t)c0) ^ (uint32_t)c2;
    *crc = c0;
    return p + 2 * block;
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_hardware(uint32_t crc, const void *data, size_t length) {
    const uint8_t *p = (const uint8_t *)data;
    uint64_t c = ~crc;
    if (length >= 3 * CRC32C_SHORT) {
        pthread_once(&crc32c_shift_once, crc32c_build_shift_tables);
        while (length >= 3 * CRC32C_LONG) {
            p = crc32c_three_way(&c, p, CRC32C_LONG, crc32c_long_shift);
            length -= 3 * CRC32C_LONG;
        }
        while (length >= 3 * CRC32C_SHORT) {
            p = crc32c_three_way(&c, p, CRC32C_SHORT, crc32c_short_shift);
            length -= 3 * CRC32C_SHORT;
        }
    }
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        length -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (length--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return ~c32;
}
#endif

int strata_crc32c_is_hardware(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
#else
    return 0;
#endif
}

uint32_t strata_crc32c(uint32_t crc, const void *data, size_t length) {
#if defined(__x86_64__)
    static int hardware = -1;
    if (hardware < 0) hardware = strata_crc32c_is_hardware();
    if (hardware) return crc32c_hardware(crc, data, length);
#endif
    return strata_crc32c_software(crc, data, length);
}

// MARK: UTF-8 validation

int strata_utf8_is_valid(const void *data, size_t length) {
    const uint8_t *p = (const uint8_t *)data;
    const uint8_t *end = p + length;
    while (p < end) {
        // ASCII fast path: most text is ASCII, 8 bytes per step.
        while (end - p >= 8) {
            uint64_t word;
            memcpy(&word, p, 8);
            if (word & 0x8080808080808080ull) break;
            p += 8;
        }
        if (p >= end) break;
        uint8_t b = *p;
        if (b < 0x80) { p++; continue; }
        size_t need;
        uint8_t lo = 0x80, hi = 0xBF;  // bounds of the second byte
        if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            if (b == 0xE0) lo = 0xA0;       // overlong
            else if (b == 0xED) hi = 0x9F;  // surrogates
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            if (b == 0xF0) lo = 0x90;       // overlong
            else if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
        } else {
            return 0;
        }
        if ((size_t)(end - p) <= need) return 0;
        if (p[1] < lo || p[1] > hi) return 0;
        for (size_t k = 2; k <= need; k++) {
            if ((p[k] & 0xC0) != 0x80) return 0;
        }
        p += need + 1;
    }
    return 1;
}

// MARK: XXH3-128

void strata_xxh3_128(const void *data, size_t length, uint64_t *high, uint64_t *low) {
    XXH128_hash_t h = XXH3_128bits(data, length);
    *high = h.high64;
    *low = h.low64;
}

// MARK: zstd

struct strata_zstd_compressor { ZSTD_CCtx *cctx; int level; };
struct strata_zstd_decompressor { ZSTD_DCtx *dctx; };

size_t strata_zstd_bound(size_t length) { return ZSTD_compressBound(length); }

strata_zstd_compressor *strata_zstd_compressor_create(int level) {
    strata_zstd_compressor *c = malloc(sizeof *c);
    if (!c) return NULL;
    c->cctx = ZSTD_createCCtx();
    c->level = level;
    if (!c->cctx) { free(c); return NULL; }
    return c;
}

void strata_zstd_compressor_free(strata_zstd_compressor *c) {
    if (!c) return;
    ZSTD_freeCCtx(c->cctx);
    free(c);
}

int64_t strata_zstd_compress(strata_zstd_compressor *c, void *dst, size_t capacity,
                             const void *src, size_t length) {
    size_t r = ZSTD_compressCCtx(c->cctx, dst, capacity, src, length, c->level);
    if (ZSTD_isError(r)) return -1;
    return (int64_t)r;
}

strata_zstd_decompressor *strata_zstd_decompressor_create(void) {
    strata_zstd_decompressor *d = malloc(sizeof *d);
    if (!d) return NULL;
    d->dctx = ZSTD_createDCtx();
    if (!d->dctx) { free(d); return NULL; }
    return d;
}

void strata_zstd_decompressor_free(strata_zstd_decompressor *d) {
    if (!d) return;
    ZSTD_freeDCtx(d->dctx);
    free(d);
}

int64_t strata_zstd_frame_content_size(const void *src, size_t length) {
    unsigned long long n = ZSTD_getFrameContentSize(src, length);
    if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR) return -1;
    return (int64_t)n;
}

int64_t strata_zstd_decompress(strata_zstd_decompressor *d, void *dst, size_t capacity,
                               const void *src, size_t length) {
    size_t r = ZSTD_decompressDCtx(d->dctx, dst, capacity, src, length);
    if (ZSTD_isError(r)) return -1;
    return (int64_t)r;
}

// MARK: direct I/O and errno helpers

int strata_open_direct(const char *path) {
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
}

int strata_punch_hole(int fd, int64_t offset, int64_t length) {
    // tmpfs frees the pages of a punched range at once; the file keeps its size.
    if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length) == 0) return 0;
    return errno;
}

// MARK: FP16 conversion
//
// Swift's Float16 <-> Float conversions are calls into compiler-rt (`__extendhfsf2`,
// `__truncsfhf2`) on x86-64 Linux unless the whole module is compiled for F16C, which
// would stop the binary from starting on older CPUs. These helpers pick F16C at run time.

static float f16_to_f32_one(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0x1Fu) {
        // Inf, or NaN quieted with its payload kept (what vcvtph2ps does).
        bits = sign | 0x7F800000u | (mantissa << 13) | (mantissa ? 0x00400000u : 0);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        // Subnormal half: normalize (every half subnormal is a normal float).
        int shift = __builtin_clz(mantissa) - 21;  // leading zeros within the 10-bit field
        mantissa = (mantissa << shift) & 0x3FFu;
        bits = sign | ((uint32_t)(113 - shift) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static uint16_t f32_to_f16_one(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000u);
    uint32_t magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u) {
        // NaN: quiet, keep the payload's top bits (what vcvtps2ph does).
        return sign | 0x7E00u | (uint16_t)((magnitude >> 13) & 0x3FFu);
    }
    if (magnitude >= 0x477FF000u) return sign | 0x7C00u;  // rounds to or beyond 65520: Inf
    if (magnitude >= 0x38800000u) {
        // Normal half: rebias, round the 13 dropped bits to nearest even.
        uint32_t value = magnitude - 0x38000000u;
        uint32_t rounded = value + 0x0FFFu + ((value >> 13) & 1u);
        return sign | (uint16_t)(rounded >> 13);
    }
    if (magnitude < 0x33000000u) return sign;  // below half the smallest subnormal: ±0
    // Subnormal half: shift the full significand into place, round to nearest even.
    uint32_t exponent = magnitude >> 23;
    uint32_t significand = (magnitude & 0x7FFFFFu) | 0x800000u;
    uint32_t shift = 126u - exponent;  // 14..24
    uint32_t result = significand >> shift;
    uint32_t remainder = significand & ((1u << shift) - 1u);
    uint32_t half = 1u << (shift - 1);
    if (remainder > half || (remainder == half && (result & 1u))) result += 1;
    return sign | (uint16_t)result;
}

void strata_f16_to_f32_software(const uint16_t *src, float *dst, size_t count) {
    for (size_t i = 0; i < count; i++) dst[i] = f16_to_f32_one(src[i]);
}

void strata_f32_to_f16_software(const float *src, uint16_t *dst, size_t count) {
    for (size_t i = 0; i < count; i++) dst[i] = f32_to_f16_one(src[i]);
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("f16c,avx")))
static void f16_to_f32_hardware(const uint16_t *src, float *dst, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(src + i));
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
    }
    if (i < count) {
        uint16_t tail[8] = {0};
        float out[8];
        memcpy(tail, src + i, (count - i) * 2);
        _mm256_storeu_ps(out, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)tail)));
        memcpy(dst + i, out, (count - i) * 4);
    }
}

__attribute__((target("f16c,avx")))
static void f32_to_f16_hardware(const float *src, uint16_t *dst, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm_storeu_si128((__m128i *)(dst + i), h);
    }
    if (i < count) {
        float tail[8] = {0};
        uint16_t out[8];
        memcpy(tail, src + i, (count - i) * 4);
        _mm_storeu_si128((__m128i *)out, _mm256_cvtps_ph(_mm256_loadu_ps(tail), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        memcpy(dst + i, out, (count - i) * 2);
    }
}
#endif

int strata_f16c_is_hardware(void) {
#if defined(__x86_64__)
    // `avx` also tells that the OS saves the YMM registers (the builtin checks XGETBV).
    return (__builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx")) ? 1 : 0;
#else
    return 0;
#endif
}

void strata_f16_to_f32(const uint16_t *src, float *dst, size_t count) {
#if defined(__x86_64__)
    if (strata_f16c_is_hardware()) { f16_to_f32_hardware(src, dst, count); return; }
#endif
    strata_f16_to_f32_software(src, dst, count);
}

void strata_f32_to_f16(const float *src, uint16_t *dst, size_t count) {
#if defined(__x86_64__)
    if (strata_f16c_is_hardware()) { f32_to_f16_hardware(src, dst, count); return; }
#endif
    strata_f32_to_f16_software(src, dst, count);
}

// MARK: FP16 dot product (vector rescoring)

#pragma clang fp contract(off)

static float dot_reduce(const float acc[4][8], float tail) {
    float lane[8];
    for (int l = 0; l < 8; l++) lane[l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]);
    float sum = ((lane[0] + lane[4]) + (lane[2] + lane[6])) + ((lane[1] + lane[5]) + (lane[3] + lane[7]));
    return sum + tail;
}

float strata_dot_f16_software(const uint16_t *halves, const float *values, size_t count) {
    float acc[4][8] = {{0}};
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        for (int a = 0; a < 4; a++) {
            for (int l = 0; l < 8; l++) {
                size_t j = i + 8 * (size_t)a + (size_t)l;
                uint16_t h;
                memcpy(&h, halves + j, 2);
                acc[a][l] = acc[a][l] + f16_to_f32_one(h) * values[j];
            }
        }
    }
    for (; i + 8 <= count; i += 8) {
        for (int l = 0; l < 8; l++) {
            uint16_t h;
            memcpy(&h, halves + i + l, 2);
            acc[0][l] = acc[0][l] + f16_to_f32_one(h) * values[i + l];
        }
    }
    float tail = 0;
    for (; i < count; i++) {
        uint16_t h;
        memcpy(&h, halves + i, 2);
        tail = tail + f16_to_f32_one(h) * values[i];
    }
    return dot_reduce((const float (*)[8])acc, tail);
}

#if defined(__x86_64__)
__attribute__((target("f16c,avx")))
static float dot_f16_hardware(const uint16_t *halves, const float *values, size_t count) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        __m256 h0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(halves + i)));
        __m256 h1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(halves + i + 8)));
        __m256 h2 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(halves + i + 16)));
        __m256 h3 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(halves + i + 24)));
        a0 = _mm256_add_ps(a0, _mm256_mul_ps(h0, _mm256_loadu_ps(values + i)));
        a1 = _mm256_add_ps(a1, _mm256_mul_ps(h1, _mm256_loadu_ps(values + i + 8)));
        a2 = _mm256_add_ps(a2, _mm256_mul_ps(h2, _mm256_loadu_ps(values + i + 16)));
        a3 = _mm256_add_ps(a3, _mm256_mul_ps(h3, _mm256_loadu_ps(values + i + 24)));
    }
    for (; i + 8 <= count; i += 8) {
        __m256 h = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(halves + i)));
        a0 = _mm256_add_ps(a0, _mm256_mul_ps(h, _mm256_loadu_ps(values + i)));
    }
    float tail = 0;
    for (; i < count; i++) {
        uint16_t h;
        memcpy(&h, halves + i, 2);
        tail = tail + _cvtsh_ss(h) * values[i];
    }
    float acc[4][8];
    _mm256_storeu_ps(acc[0], a0);
    _mm256_storeu_ps(acc[1], a1);
    _mm256_storeu_ps(acc[2], a2);
    _mm256_storeu_ps(acc[3], a3);
    return dot_reduce((const float (*)[8])acc, tail);
}
#endif

float strata_dot_f16(const uint16_t *halves, const float *values, size_t count) {
#if defined(__x86_64__)
    if (strata_f16c_is_hardware()) return dot_f16_hardware(halves, values, count);
#endif
    return strata_dot_f16_software(halves, values, count);
}

// MARK: INT8 scan

void strata_int8_scan_software(const int8_t *rows, size_t row_count, size_t stride, const int8_t *query,
                               const float *scales, float query_scale, float *scores) {
    for (size_t r = 0; r < row_count; r++) {
        const int8_t *row = rows + r * stride;
        int32_t dot = 0;
        for (size_t i = 0; i < stride; i++) dot += (int32_t)row[i] * (int32_t)query[i];
        scores[r] = (float)dot * scales[r] * query_scale;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static void int8_scan_avx2(const int8_t *rows, size_t row_count, size_t stride, const int8_t *query,
                           const float *scales, float query_scale, float *scores) {
    const __m256i ones = _mm256_set1_epi16(1);
    size_t blocks = stride / 32;
    for (size_t r = 0; r < row_count; r++) {
        const int8_t *row = rows + r * stride;
        __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
        size_t b = 0;
        for (; b + 2 <= blocks; b += 2) {
            __m256i q0 = _mm256_loadu_si256((const __m256i *)(query + b * 32));
            __m256i x0 = _mm256_loadu_si256((const __m256i *)(row + b * 32));
            __m256i q1 = _mm256_loadu_si256((const __m256i *)(query + b * 32 + 32));
            __m256i x1 = _mm256_loadu_si256((const __m256i *)(row + b * 32 + 32));
            // |q| (unsigned) times x with q's sign: pairs of products summed to int16 (at most
            // 2 * 127 * 127, no saturation), then to int32.
            __m256i p0 = _mm256_maddubs_epi16(_mm256_sign_epi8(q0, q0), _mm256_sign_epi8(x0, q0));
            __m256i p1 = _mm256_maddubs_epi16(_mm256_sign_epi8(q1, q1), _mm256_sign_epi8(x1, q1));
            acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, ones));
            acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(p1, ones));
        }
        if (b < blocks) {
            __m256i q0 = _mm256_loadu_si256((const __m256i *)(query + b * 32));
            __m256i x0 = _mm256_loadu_si256((const __m256i *)(row + b * 32));
            __m256i p0 = _mm256_maddubs_epi16(_mm256_sign_epi8(q0, q0), _mm256_sign_epi8(x0, q0));
            acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, ones));
        }
        __m256i acc = _mm256_add_epi32(acc0, acc1);
        __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
        int32_t dot = _mm_cvtsi128_si32(s);
        // Integer tail when stride is not a multiple of 32 (VectorStorage pads, but be exact anyway).
        for (size_t i = blocks * 32; i < stride; i++) dot += (int32_t)row[i] * (int32_t)query[i];
        scores[r] = (float)dot * scales[r] * query_scale;
    }
}
#endif

int strata_int8_scan_is_avx2(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

void strata_int8_scan(const int8_t *rows, size_t row_count, size_t stride, const int8_t *query,
                      const float *scales, float query_scale, float *scores) {
#if defined(__x86_64__)
    if (strata_int8_scan_is_avx2()) { int8_scan_avx2(rows, row_count, stride, query, scales, query_scale, scores); return; }
#endif
    strata_int8_scan_software(rows, row_count, stride, query, scales, query_scale, scores);
}

/* Returns the heap's free pages to the kernel (glibc's malloc_trim), so a process that just
   dropped many small arrays shows it in its RSS. */
void strata_release_free_memory(void) {
    malloc_trim(0);
}
