#define _GNU_SOURCE
#include "strata_support.h"

#include <errno.h>
#include <fcntl.h>
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
__attribute__((target("sse4.2")))
static uint32_t crc32c_hardware(uint32_t crc, const void *data, size_t length) {
    const uint8_t *p = (const uint8_t *)data;
    uint64_t c = ~crc;
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

int strata_open_direct_rw(const char *path, int create) {
    return open(path, O_RDWR | O_CLOEXEC | O_DIRECT | (create ? O_CREAT : 0), 0644);
}

int strata_errno_is_disk_full(int error) {
    return error == ENOSPC || error == EDQUOT;
}
