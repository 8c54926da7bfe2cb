// C = beta·C + A·B for row-major matrices with B packed once (snn_f32_gemm_pack_weights) and A packed per call into
// 6-row tiles: an AVX2/FMA 6 × 16 micro-kernel (twelve 8-float accumulators; each A value broadcast, two B vectors per
// depth step), the B panel (k × 16) kept in L1 across all row tiles of a block of A kept in L2.
//
// Why not BLAS: the backward scans multiply a new [B, k] block by the same weights at every time step. A BLAS call
// packs both operands every time (and zeroes C for beta = 0 before writing it); here the weights are packed once per
// backward pass, A is packed straight from its segments (no stacking copy) and beta = 0 stores without reading C.
#include "snn_kernels.h"

#define SNN_MR 6
#define SNN_NR 16
// Rows of A per block (a multiple of SNN_MR): ≈ 144 rows × 4 bytes × depth stays in L2 for depths of a few hundred.
#define SNN_MB 144

size_t snn_f32_gemm_scratch_size(size_t m, size_t k) {
    const size_t rows = m < SNN_MB ? m : SNN_MB;
    return (rows + SNN_MR - 1) / SNN_MR * SNN_MR * k + 2;   // (+2: the transposing packer's last spill)
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

#define SNN_AVX2 __attribute__((target("avx2,fma")))

bool snn_avx2_fma_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// Rows [0, mr) of the segments into `tile` as depth-major `[depth][mr]`. Full 6-row tiles go 8 depths at a time
// through an 8 × 8 register transpose (rows 6 and 7 zero), each transposed column stored as 8 floats at its 6-float
// place in increasing order: a store's last two floats are overwritten by the next one, and the last spills two floats
// past the group (the scratch has room: snn_f32_gemm_scratch_size).
SNN_AVX2 static void snn_pack_tile(size_t mr, size_t segments, const float *const *a, const size_t *lda, const size_t *k,
                                   size_t row, float *tile) {
    for (size_t s = 0; s < segments; s++) {
        const float *base = a[s] + row * lda[s];
        const size_t depth = k[s], stride = lda[s];
        size_t i = 0;
        if (mr == SNN_MR) {
            const __m256 zero = _mm256_setzero_ps();
            for (; i + 8 <= depth; i += 8) {
                const __m256 r0 = _mm256_loadu_ps(base + i), r1 = _mm256_loadu_ps(base + stride + i);
                const __m256 r2 = _mm256_loadu_ps(base + 2 * stride + i), r3 = _mm256_loadu_ps(base + 3 * stride + i);
                const __m256 r4 = _mm256_loadu_ps(base + 4 * stride + i), r5 = _mm256_loadu_ps(base + 5 * stride + i);
                const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
                const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
                const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
                const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
                const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
                const __m256 u4 = _mm256_shuffle_ps(t4, zero, 0x44), u5 = _mm256_shuffle_ps(t4, zero, 0xEE);
                const __m256 u6 = _mm256_shuffle_ps(t5, zero, 0x44), u7 = _mm256_shuffle_ps(t5, zero, 0xEE);
                float *out = tile + i * SNN_MR;
                _mm256_storeu_ps(out + 0 * SNN_MR, _mm256_permute2f128_ps(u0, u4, 0x20));
                _mm256_storeu_ps(out + 1 * SNN_MR, _mm256_permute2f128_ps(u1, u5, 0x20));
                _mm256_storeu_ps(out + 2 * SNN_MR, _mm256_permute2f128_ps(u2, u6, 0x20));
                _mm256_storeu_ps(out + 3 * SNN_MR, _mm256_permute2f128_ps(u3, u7, 0x20));
                _mm256_storeu_ps(out + 4 * SNN_MR, _mm256_permute2f128_ps(u0, u4, 0x31));
                _mm256_storeu_ps(out + 5 * SNN_MR, _mm256_permute2f128_ps(u1, u5, 0x31));
                _mm256_storeu_ps(out + 6 * SNN_MR, _mm256_permute2f128_ps(u2, u6, 0x31));
                _mm256_storeu_ps(out + 7 * SNN_MR, _mm256_permute2f128_ps(u3, u7, 0x31));
            }
        }
        for (size_t r = 0; r < mr; r++) {
            const float *x = base + r * stride;
            for (size_t j = i; j < depth; j++) tile[j * mr + r] = x[j];
        }
        tile += depth * mr;
    }
}

// One MR × 16 tile: C[r, 0 ..< width] = beta·C + Σ_i tile[i][r] · panel[i][0 ..< 16].
#define SNN_TILE(MR)                                                                                                    \
    SNN_AVX2 static void snn_f32_gemm_ukernel__avx2_##MR##x16(size_t depth, const float *tile, const float *panel,      \
                                                              float beta, float *c, size_t ldc, size_t width) {         \
        __m256 lo[MR], hi[MR];                                                                                          \
        for (int r = 0; r < MR; r++) { lo[r] = _mm256_setzero_ps(); hi[r] = _mm256_setzero_ps(); }                      \
        /* C's lines are requested for writing now: their misses overlap the depth loop instead of stalling the stores */ \
        for (int r = 0; r < MR; r++) { __builtin_prefetch(c + r * ldc, 1, 3); __builtin_prefetch(c + r * ldc + 15, 1, 3); } \
        for (size_t i = 0; i < depth; i++) {                                                                            \
            const __m256 b0 = _mm256_loadu_ps(panel + i * SNN_NR), b1 = _mm256_loadu_ps(panel + i * SNN_NR + 8);       \
            for (int r = 0; r < MR; r++) {                                                                              \
                const __m256 x = _mm256_broadcast_ss(tile + i * MR + r);                                                \
                lo[r] = _mm256_fmadd_ps(x, b0, lo[r]);                                                                  \
                hi[r] = _mm256_fmadd_ps(x, b1, hi[r]);                                                                  \
            }                                                                                                           \
        }                                                                                                               \
        const __m256 scale = _mm256_set1_ps(beta);                                                                      \
        if (width == SNN_NR) {                                                                                          \
            for (int r = 0; r < MR; r++) {                                                                              \
                float *row = c + r * ldc;                                                                               \
                if (beta != 0) {                                                                                        \
                    lo[r] = _mm256_fmadd_ps(scale, _mm256_loadu_ps(row), lo[r]);                                        \
                    hi[r] = _mm256_fmadd_ps(scale, _mm256_loadu_ps(row + 8), hi[r]);                                    \
                }                                                                                                       \
                _mm256_storeu_ps(row, lo[r]);                                                                           \
                _mm256_storeu_ps(row + 8, hi[r]);                                                                       \
            }                                                                                                           \
        } else {                                                                                                        \
            const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);                                            \
            const __m256i ml = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)width), lanes);                                \
            const __m256i mh = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)width - 8), lanes);                            \
            for (int r = 0; r < MR; r++) {                                                                              \
                float *row = c + r * ldc;                                                                               \
                if (beta != 0) {                                                                                        \
                    lo[r] = _mm256_fmadd_ps(scale, _mm256_maskload_ps(row, ml), lo[r]);                                 \
                    hi[r] = _mm256_fmadd_ps(scale, _mm256_maskload_ps(row + 8, mh), hi[r]);                             \
                }                                                                                                       \
                _mm256_maskstore_ps(row, ml, lo[r]);                                                                    \
                _mm256_maskstore_ps(row + 8, mh, hi[r]);                                                                \
            }                                                                                                           \
        }                                                                                                               \
    }

SNN_TILE(6)
SNN_TILE(5)
SNN_TILE(4)
SNN_TILE(3)
SNN_TILE(2)
SNN_TILE(1)

typedef void (*snn_tile_kernel)(size_t, const float *, const float *, float, float *, size_t, size_t);

SNN_AVX2 void snn_f32_gemm_packed(size_t m, size_t n, size_t segments, const float *const *a, const size_t *lda,
                                  const size_t *k, const float *packed, float beta, float *c, size_t ldc, float *scratch) {
    static const snn_tile_kernel kernels[SNN_MR + 1] = {
        0, snn_f32_gemm_ukernel__avx2_1x16, snn_f32_gemm_ukernel__avx2_2x16, snn_f32_gemm_ukernel__avx2_3x16,
        snn_f32_gemm_ukernel__avx2_4x16, snn_f32_gemm_ukernel__avx2_5x16, snn_f32_gemm_ukernel__avx2_6x16};
    size_t depth = 0;
    for (size_t s = 0; s < segments; s++) depth += k[s];
    if (m == 0 || n == 0) return;
    // Blocks of at most SNN_MB rows, as even as whole tiles allow.
    const size_t blocks = (m + SNN_MB - 1) / SNN_MB;
    const size_t blockRows = ((m + blocks - 1) / blocks + SNN_MR - 1) / SNN_MR * SNN_MR;
    for (size_t first = 0; first < m; first += blockRows) {
        const size_t rows = m - first < blockRows ? m - first : blockRows;
        // Tiles of 6 rows; a remainder of 1–3 rows shares the last 7–9 rows with a full tile as 4 + 3, 4 + 4 or
        // 5 + 4 (a 2-row tile keeps only 4 accumulators in flight: half the FMA rate).
        size_t tiles[SNN_MB / SNN_MR + 2], count = 0, left = rows;
        while (left > 0) {
            if (left >= 7 && left <= 9) {
                tiles[count++] = left - 4;
                tiles[count++] = 4;
                break;
            }
            tiles[count] = left < SNN_MR ? left : SNN_MR;
            left -= tiles[count++];
        }
        for (size_t t = 0, i = 0; t < count; i += tiles[t++]) {
            snn_pack_tile(tiles[t], segments, a, lda, k, first + i, scratch + i * depth);
        }
        for (size_t p = 0; p < n; p += SNN_NR) {
            const float *panel = packed + p * depth;
            const size_t width = n - p < SNN_NR ? n - p : SNN_NR;
            for (size_t t = 0, i = 0; t < count; i += tiles[t++]) {
                kernels[tiles[t]](depth, scratch + i * depth, panel, beta, c + (first + i) * ldc + p, ldc, width);
            }
        }
    }
}

#else

bool snn_avx2_fma_available(void) { return false; }

void snn_f32_gemm_packed(size_t m, size_t n, size_t segments, const float *const *a, const size_t *lda, const size_t *k,
                         const float *packed, float beta, float *c, size_t ldc, float *scratch) {
    (void)m; (void)n; (void)segments; (void)a; (void)lda; (void)k; (void)packed; (void)beta; (void)c; (void)ldc;
    (void)scratch;
}

#endif
