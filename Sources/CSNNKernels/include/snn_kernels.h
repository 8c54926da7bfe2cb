// C micro-kernels of SNNKit. DESIGN.md: "if a micro-kernel needs it, a small C target with
// __attribute__((target(...))) and run-time dispatch is acceptable" — no compiler flags, no unsafe flags: each
// vector function carries its own target attribute and runs only after the CPU check says it may.
// Matrices are row-major; the `[T, B, N]` buffers of the scans reach these kernels as `[rows, columns]` slices.
#ifndef SNN_KERNELS_H
#define SNN_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Floats that `snn_f32_gemm_pack_weights` writes for a `[k, n]` matrix: `ceil(n / 16)` panels of `k × 16` floats.
size_t snn_f32_gemm_packed_weights_size(size_t k, size_t n);

/// Packs `b` (`[k, n]`, row stride `ldb`) into `packed`: panel `p` holds columns `16p ..< 16p + 16` as `k` rows of 16
/// contiguous floats, the last panel zero-padded. Portable C.
void snn_f32_gemm_pack_weights(size_t k, size_t n, const float *b, size_t ldb, float *packed);

/// Floats of scratch `snn_f32_gemm_packed` needs for `m` rows of total depth `k`.
size_t snn_f32_gemm_scratch_size(size_t m, size_t k);

/// Whether this CPU runs the AVX2 kernels (`snn_f32_gemm_packed`, `snn_f32_lif_forward_list__avx2_u8`): x86-64 with
/// AVX2 and FMA.
bool snn_avx2_fma_available(void);

/// `C[m, n] = beta·C + [A_0 | A_1 | … | A_{s−1}] · B`, `B` (`[Σ k_i, n]`) packed by `snn_f32_gemm_pack_weights`.
///
/// The left-hand side is given as `segments` column blocks: block `i` is `[m, k[i]]` at `a[i]` with row stride `lda[i]`
/// and meets rows `k[0] + … + k[i−1] ..<` of `B`. `beta` 0 overwrites `C` (which is then never read), otherwise
/// `C` is scaled by it and added to. `scratch` holds `snn_f32_gemm_scratch_size(m, Σ k_i)` floats. AVX2/FMA: call only
/// when `snn_avx2_fma_available()`.
void snn_f32_gemm_packed(size_t m, size_t n, size_t segments, const float *const *a, const size_t *lda, const size_t *k,
                         const float *packed, float beta, float *c, size_t ldc, float *scratch);

/// One forward step of the current-based LIF (SPEC §1.1, reference order) over `n` neurons of one sample, listing the
/// neurons that spike:
///
///     S = U_prev > θ (+ η);  U = S ? 0 : λ_m·U_prev + κ_m·I;  I ← λ_s·I + X_prev
///
/// writes `membrane`, updates `current` in place and writes the indices `j` with `S[j] = 1`, increasing, to `indices`
/// (room for `n`); returns their number. `thresholdNoise` (escape-noise offsets η) may be NULL. Same floats as the
/// Swift `heavisideLIFUpdate16` (no fused multiply-adds). AVX2: call only when `snn_avx2_fma_available()`.
size_t snn_f32_lif_forward_list__avx2_u8(size_t n, float membraneDecay, float synapseDecay, float membraneGain, float threshold,
                                         const float *previousMembrane, float *current, const float *previousInput,
                                         float *membrane, const float *thresholdNoise, int32_t *indices);

#ifdef __cplusplus
}
#endif

#endif
