// One production LIF forward step over a row of neurons that lists the indices of the neurons that spike (see
// snn_kernels.h). The arithmetic is the Swift kernel's (heavisideLIFUpdate16 in LIFScan.swift), operation for
// operation and without fused multiply-adds, so both give the same floats; what AVX2 adds is the movemask that turns
// the eight comparisons into a bit set, where the Swift kernel builds it lane by lane.
#include "snn_kernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx2,fma")))
size_t snn_f32_lif_forward_list__avx2_u8(size_t n, float membraneDecay, float synapseDecay, float membraneGain, float threshold,
                                         const float *previousMembrane, float *current, const float *previousInput,
                                         float *membrane, const float *thresholdNoise, int32_t *indices) {
    const __m256 lm = _mm256_set1_ps(membraneDecay), ls = _mm256_set1_ps(synapseDecay);
    const __m256 km = _mm256_set1_ps(membraneGain), theta = _mm256_set1_ps(threshold), zero = _mm256_setzero_ps();
    size_t listed = 0, j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m256 u = _mm256_loadu_ps(previousMembrane + j), i = _mm256_loadu_ps(current + j);
        const __m256 x = _mm256_loadu_ps(previousInput + j);
        const __m256 level = thresholdNoise ? _mm256_add_ps(theta, _mm256_loadu_ps(thresholdNoise + j)) : theta;
        const __m256 fired = _mm256_cmp_ps(u, level, _CMP_GT_OQ);
        const __m256 next = _mm256_add_ps(_mm256_mul_ps(lm, u), _mm256_mul_ps(km, i));
        _mm256_storeu_ps(membrane + j, _mm256_blendv_ps(next, zero, fired));
        _mm256_storeu_ps(current + j, _mm256_add_ps(_mm256_mul_ps(ls, i), x));
        unsigned bits = (unsigned)_mm256_movemask_ps(fired);
        while (bits) {
            indices[listed++] = (int32_t)(j + (size_t)__builtin_ctz(bits));
            bits &= bits - 1;
        }
    }
    for (; j < n; j++) {
        const float u = previousMembrane[j], i = current[j];
        const float level = thresholdNoise ? threshold + thresholdNoise[j] : threshold;
        const int fired = u > level;
        const float decayed = membraneDecay * u;
        const float driven = membraneGain * i;
        const float next = decayed + driven;
        membrane[j] = fired ? 0.0f : next;
        const float kept = synapseDecay * i;
        current[j] = kept + previousInput[j];
        if (fired) indices[listed++] = (int32_t)j;
    }
    return listed;
}

#else

size_t snn_f32_lif_forward_list__avx2_u8(size_t n, float membraneDecay, float synapseDecay, float membraneGain, float threshold,
                                         const float *previousMembrane, float *current, const float *previousInput,
                                         float *membrane, const float *thresholdNoise, int32_t *indices) {
    (void)n; (void)membraneDecay; (void)synapseDecay; (void)membraneGain; (void)threshold; (void)previousMembrane;
    (void)current; (void)previousInput; (void)membrane; (void)thresholdNoise; (void)indices;
    return 0;
}

#endif
