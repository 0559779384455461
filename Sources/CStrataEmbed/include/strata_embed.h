#pragma once
// CStrataEmbed: the C leaves of the embedder (StrataEmbed). Matrix products go to OpenBLAS,
// loaded at run time (see strata_blas_load); the element-wise kernels of a BERT layer
// (bias, GELU, softmax, layer norm) are written here with vector types and compiled for
// AVX-512, AVX2 + FMA and a portable baseline, picked once by the CPU.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Loads OpenBLAS (libopenblas.so.0) once per process and makes it single-threaded (the
/// embedder runs its own threads). Returns 0, or -1 with a message in `error`.
///
/// OpenBLAS picks its kernels by CPU model when it loads; a build older than the CPU
/// (Debian 12's 0.3.21 on recent Xeons) falls back to its SSE3 "Prescott" kernels, six times
/// slower. Unless OPENBLAS_CORETYPE is set already, it is set for the load to the best kernel
/// family the CPU supports (SkylakeX with AVX-512, Haswell with AVX2 + FMA) and restored after.
int strata_blas_load(char *error, size_t capacity);
/// The kernel family OpenBLAS runs ("SkylakeX", "Haswell", ...); "" before a successful load.
const char *strata_blas_core_name(void);

/// C[m×n] = alpha · A[m×k] · B[n×k]ᵀ + beta · C (row major, leading dimensions given):
/// a linear layer whose weights are stored [out × in], as PyTorch keeps them.
void strata_sgemm_nt(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                     float beta, float *c, int ldc);
/// C[m×n] = alpha · A[m×k] · B[k×n] + beta · C (row major).
void strata_sgemm_nn(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                     float beta, float *c, int ldc);

/// x[r][c] += bias[c] for `rows` rows of `cols` (row stride `cols`).
void strata_embed_add_bias(float *x, size_t rows, size_t cols, const float *bias);
/// x[r][c] = GELU(x[r][c] + bias[c]) with the exact (erf) GELU: 0.5·v·(1 + erf(v/√2)).
void strata_embed_bias_gelu(float *x, size_t rows, size_t cols, const float *bias);
/// Each of `rows` rows of `cols` (stride `stride`) replaced by its softmax.
void strata_embed_softmax_rows(float *x, size_t rows, size_t cols, size_t stride);
/// x[r] = LayerNorm(x[r] + bias + residual[r]) · gamma + beta over `cols`, with `eps`;
/// `bias` and `residual` may be NULL.
void strata_embed_add_layer_norm(float *x, const float *residual, const float *bias, size_t rows, size_t cols,
                                 const float *gamma, const float *beta, float eps);
/// Which element-wise path runs: 2 AVX-512, 1 AVX2 + FMA, 0 portable.
int strata_embed_kernel_level(void);

/// Lowers the calling thread's scheduling priority to SCHED_IDLE (it runs only when a core
/// would otherwise idle), falling back to nice 19. Returns 0, or -1 when neither applied.
int strata_embed_lower_thread_priority(void);

#ifdef __cplusplus
}
#endif
