// Geometry types of the kernels that are part of SNNKit's network description (re-exported so that users of SNNKit
// need not import SNNKernels).
@_exported import struct SNNKernels.ConvolutionShape
@_exported import struct SNNKernels.PoolingShape
@_exported import enum SNNKernels.PoolingKind
