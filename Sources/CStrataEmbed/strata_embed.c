// CStrataEmbed: OpenBLAS loaded at run time, and the element-wise kernels of a BERT layer.
#define _GNU_SOURCE
#include "strata_embed.h"

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

// MARK: OpenBLAS

// cblas enums (cblas.h): row major 101, no transpose 111, transpose 112.
enum { kRowMajor = 101, kNoTrans = 111, kTrans = 112 };
typedef void (*sgemm_fn)(int order, int transa, int transb, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*set_threads_fn)(int);
typedef char *(*core_name_fn)(void);

static pthread_mutex_t blas_lock = PTHREAD_MUTEX_INITIALIZER;
static sgemm_fn blas_sgemm = NULL;
static char blas_core[64] = "";
static char blas_error[512] = "";

static const char *best_core_type(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    return NULL;
}

int strata_blas_load(char *error, size_t capacity) {
    pthread_mutex_lock(&blas_lock);
    if (blas_sgemm == NULL && blas_error[0] == '\0') {
        // Read once at load by OpenBLAS; set only for the load, so child processes and other
        // libraries see the environment as it was.
        const char *preset = getenv("OPENBLAS_CORETYPE");
        const char *chosen = (preset == NULL || preset[0] == '\0') ? best_core_type() : NULL;
        if (chosen != NULL) setenv("OPENBLAS_CORETYPE", chosen, 1);
        void *handle = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) handle = dlopen("libopenblas.so", RTLD_NOW | RTLD_LOCAL);
        if (chosen != NULL) unsetenv("OPENBLAS_CORETYPE");
        if (handle == NULL) {
            const char *why = dlerror();
            snprintf(blas_error, sizeof blas_error,
                     "OpenBLAS (libopenblas.so.0) cannot be loaded: %s; install Debian's libopenblas0 (scripts/install-deps.sh)",
                     why ? why : "not found");
        } else {
            sgemm_fn sgemm = (sgemm_fn)dlsym(handle, "cblas_sgemm");
            set_threads_fn set_threads = (set_threads_fn)dlsym(handle, "openblas_set_num_threads");
            core_name_fn core_name = (core_name_fn)dlsym(handle, "openblas_get_corename");
            if (sgemm == NULL) {
                snprintf(blas_error, sizeof blas_error, "the loaded OpenBLAS has no cblas_sgemm");
            } else {
                if (set_threads != NULL) set_threads(1);
                if (core_name != NULL) snprintf(blas_core, sizeof blas_core, "%s", core_name());
                blas_sgemm = sgemm;
            }
        }
    }
    int result = blas_sgemm != NULL ? 0 : -1;
    if (result != 0 && error != NULL && capacity > 0) snprintf(error, capacity, "%s", blas_error);
    pthread_mutex_unlock(&blas_lock);
    return result;
}

const char *strata_blas_core_name(void) { return blas_core; }

void strata_sgemm_nt(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                     float *c, int ldc) {
    blas_sgemm(kRowMajor, kNoTrans, kTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void strata_sgemm_nn(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                     float *c, int ldc) {
    blas_sgemm(kRowMajor, kNoTrans, kNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// MARK: element-wise kernels
//
// Written once over 16-lane vectors (clang's ext_vector_type) and compiled three times:
// with AVX-512 a vector is one register, with AVX2 two, on the baseline four SSE registers.
// Tails shorter than 16 go through the same code on a zero-padded copy, so every element is
// computed by the same formula whatever its position.

// The 16-lane vector type only crosses always-inlined static functions, each compiled into a
// body with its own target (AVX-512 or AVX2 below), so the ABI clang warns about never applies.
#pragma clang diagnostic ignored "-Wpsabi"
typedef float vf16 __attribute__((ext_vector_type(16)));
typedef int vi16 __attribute__((ext_vector_type(16)));
typedef float vf16u __attribute__((ext_vector_type(16), aligned(4)));

#define INLINE static inline __attribute__((always_inline))

INLINE vf16 load16(const float *p) { return *(const vf16u *)p; }
INLINE void store16(float *p, vf16 v) { *(vf16u *)p = v; }
INLINE vf16 splat(float x) { return (vf16)x; }

// exp(x) for x in [-87, 88]: Cephes' expf (range reduction by ln 2 in two parts, degree-6
// polynomial, the exponent put in by integer arithmetic); about 1 ulp.
INLINE vf16 vexp(vf16 x) {
    x = __builtin_elementwise_min(__builtin_elementwise_max(x, splat(-87.3f)), splat(88.3f));
    vf16 n = __builtin_elementwise_floor(x * 1.44269504088896341f + 0.5f);
    vf16 r = x - n * 0.693359375f + n * 2.12194440e-4f;
    vf16 r2 = r * r;
    vf16 p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r2 + r + 1.0f;
    vi16 e = (__builtin_convertvector(n, vi16) + 127) << 23;
    return p * (vf16)e;
}

// erf(x): the rational approximation of Eigen and XLA (odd degree-13 numerator, even
// degree-8 denominator, inputs clamped to ±4 where erf is ±1 in single precision); a few ulp.
INLINE vf16 verf(vf16 x) {
    x = __builtin_elementwise_min(__builtin_elementwise_max(x, splat(-4.0f)), splat(4.0f));
    vf16 x2 = x * x;
    vf16 p = splat(-2.72614225801306e-10f);
    p = p * x2 + 2.77068142495902e-08f;
    p = p * x2 + -2.10102402082508e-06f;
    p = p * x2 + -5.69250639462346e-05f;
    p = p * x2 + -7.34990630326855e-04f;
    p = p * x2 + -2.95459980854025e-03f;
    p = p * x2 + -1.60960333262415e-02f;
    p = p * x;
    vf16 q = splat(-1.45660718464996e-05f);
    q = q * x2 + -2.13374055278905e-04f;
    q = q * x2 + -1.68282697438203e-03f;
    q = q * x2 + -7.37332916720468e-03f;
    q = q * x2 + -1.42647390514189e-02f;
    return p / q;
}

INLINE float hsum(vf16 v) {
    float s = 0;
    for (int i = 0; i < 16; i++) s += v[i];
    return s;
}

INLINE float hmax(vf16 v) {
    float m = v[0];
    for (int i = 1; i < 16; i++) m = v[i] > m ? v[i] : m;
    return m;
}

// Runs `body(pointer, lanes)` over [0, count) in steps of 16, the tail on a padded copy.
#define FOR_EACH_16(base, count, pad, body)                                  \
    do {                                                                     \
        size_t i_ = 0;                                                       \
        for (; i_ + 16 <= (count); i_ += 16) {                               \
            float *p_ = (base) + i_;                                         \
            body(p_, 16);                                                    \
        }                                                                    \
        if (i_ < (count)) {                                                  \
            float tmp_[16];                                                  \
            size_t n_ = (count) - i_;                                        \
            for (size_t j_ = 0; j_ < 16; j_++) tmp_[j_] = j_ < n_ ? (base)[i_ + j_] : (pad); \
            float *p_ = tmp_;                                                \
            body(p_, n_);                                                    \
            memcpy((base) + i_, tmp_, n_ * sizeof(float));                   \
        }                                                                    \
    } while (0)

INLINE void add_bias_body(float *x, size_t rows, size_t cols, const float *bias) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * cols;
        size_t c = 0;
        for (; c + 16 <= cols; c += 16) store16(row + c, load16(row + c) + load16(bias + c));
        for (; c < cols; c++) row[c] += bias[c];
    }
}

INLINE void bias_gelu_body(float *x, size_t rows, size_t cols, const float *bias) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * cols;
        size_t c = 0;
        for (; c + 16 <= cols; c += 16) {
            vf16 v = load16(row + c) + load16(bias + c);
            store16(row + c, 0.5f * v * (1.0f + verf(v * 0.70710678118654752f)));
        }
        for (; c < cols; c++) {
            float v = row[c] + bias[c];
            float lanes[16] = {v};
            vf16 e = verf(load16(lanes) * 0.70710678118654752f);
            row[c] = 0.5f * v * (1.0f + e[0]);
        }
    }
}

INLINE void softmax_body(float *x, size_t rows, size_t cols, size_t stride) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * stride;
        float m = -INFINITY;
        for (size_t c = 0; c < cols; c++) m = row[c] > m ? row[c] : m;
        vf16 sum = splat(0);
#define SOFTMAX_EXP(p, n)                       \
    {                                           \
        vf16 e = vexp(load16(p) - m);           \
        for (size_t k = (n); k < 16; k++) e[k] = 0; \
        sum += e;                               \
        store16(p, e);                          \
    }
        FOR_EACH_16(row, cols, m, SOFTMAX_EXP);
#undef SOFTMAX_EXP
        float inverse = 1.0f / hsum(sum);
        size_t c = 0;
        for (; c + 16 <= cols; c += 16) store16(row + c, load16(row + c) * inverse);
        for (; c < cols; c++) row[c] *= inverse;
    }
}

INLINE void add_layer_norm_body(float *x, const float *residual, const float *bias, size_t rows, size_t cols,
                                const float *gamma, const float *beta, float eps) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * cols;
        const float *res = residual ? residual + r * cols : NULL;
        vf16 acc = splat(0);
        size_t c = 0;
        for (; c + 16 <= cols; c += 16) {
            vf16 v = load16(row + c);
            if (bias) v += load16(bias + c);
            if (res) v += load16(res + c);
            store16(row + c, v);
            acc += v;
        }
        float total = hsum(acc);
        for (; c < cols; c++) {
            float v = row[c] + (bias ? bias[c] : 0) + (res ? res[c] : 0);
            row[c] = v;
            total += v;
        }
        float mean = total / (float)cols;
        vf16 sq = splat(0);
        c = 0;
        for (; c + 16 <= cols; c += 16) {
            vf16 d = load16(row + c) - mean;
            sq += d * d;
        }
        float var = hsum(sq);
        for (; c < cols; c++) var += (row[c] - mean) * (row[c] - mean);
        float inv = 1.0f / sqrtf(var / (float)cols + eps);
        c = 0;
        for (; c + 16 <= cols; c += 16) store16(row + c, (load16(row + c) - mean) * inv * load16(gamma + c) + load16(beta + c));
        for (; c < cols; c++) row[c] = (row[c] - mean) * inv * gamma[c] + beta[c];
    }
}

#define AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,fma")))
#define AVX2 __attribute__((target("avx2,fma")))

#define DEFINE_PATHS(name, params, args)      \
    AVX512 static void name##_avx512 params { name##_body args; } \
    AVX2 static void name##_avx2 params { name##_body args; }     \
    static void name##_portable params { name##_body args; }

DEFINE_PATHS(add_bias, (float *x, size_t rows, size_t cols, const float *bias), (x, rows, cols, bias))
DEFINE_PATHS(bias_gelu, (float *x, size_t rows, size_t cols, const float *bias), (x, rows, cols, bias))
DEFINE_PATHS(softmax, (float *x, size_t rows, size_t cols, size_t stride), (x, rows, cols, stride))
DEFINE_PATHS(add_layer_norm,
             (float *x, const float *residual, const float *bias, size_t rows, size_t cols, const float *gamma,
              const float *beta, float eps),
             (x, residual, bias, rows, cols, gamma, beta, eps))

static int kernel_level = -1;

int strata_embed_kernel_level(void) {
    if (kernel_level < 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
            kernel_level = 2;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            kernel_level = 1;
        else
            kernel_level = 0;
    }
    return kernel_level;
}

#define DISPATCH(name, args)                        \
    switch (strata_embed_kernel_level()) {          \
    case 2: name##_avx512 args; break;              \
    case 1: name##_avx2 args; break;                \
    default: name##_portable args; break;           \
    }

void strata_embed_add_bias(float *x, size_t rows, size_t cols, const float *bias) {
    DISPATCH(add_bias, (x, rows, cols, bias));
}

void strata_embed_bias_gelu(float *x, size_t rows, size_t cols, const float *bias) {
    DISPATCH(bias_gelu, (x, rows, cols, bias));
}

void strata_embed_softmax_rows(float *x, size_t rows, size_t cols, size_t stride) {
    DISPATCH(softmax, (x, rows, cols, stride));
}

void strata_embed_add_layer_norm(float *x, const float *residual, const float *bias, size_t rows, size_t cols,
                                 const float *gamma, const float *beta, float eps) {
    DISPATCH(add_layer_norm, (x, residual, bias, rows, cols, gamma, beta, eps));
}

// MARK: thread priority

int strata_embed_lower_thread_priority(void) {
    struct sched_param param = {0};
    if (sched_setscheduler(0, SCHED_IDLE, &param) == 0) return 0;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    return setpriority(PRIO_PROCESS, (id_t)tid, 19) == 0 ? 0 : -1;
}
