// Packing of the constant right-hand side of the scans' products into 16-column panels (see snn_kernels.h).
#include "snn_kernels.h"

#include <string.h>

size_t snn_f32_gemm_packed_weights_size(size_t k, size_t n) { return (n + 15) / 16 * 16 * k; }

void snn_f32_gemm_pack_weights(size_t k, size_t n, const float *b, size_t ldb, float *packed) {
    for (size_t p = 0; p < n; p += 16) {
        const size_t width = n - p < 16 ? n - p : 16;
        float *panel = packed + p * k;
        for (size_t r = 0; r < k; r++) {
            memcpy(panel + r * 16, b + r * ldb + p, width * sizeof(float));
            memset(panel + r * 16 + width, 0, (16 - width) * sizeof(float));
        }
    }
}
