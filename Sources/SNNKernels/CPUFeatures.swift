import CSNNKernels

/// What the host CPU offers the C micro-kernels of `CSNNKernels`, checked once at run time: the package is built
/// without target flags, each vector function carries its own target attribute and runs only where the CPU has it.
public enum CPUFeatures {
    /// x86-64 with AVX2 and FMA: ``PackedGEMM`` and the spike-listing LIF step run their C kernels; elsewhere the
    /// portable Swift kernels (and BLAS) do the same work.
    public static let hasAVX2FMA: Bool = snn_avx2_fma_available()
}
