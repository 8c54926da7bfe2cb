/// A node of a ``NIRGraph``: one NIR primitive with its parameters, and free-form metadata.
///
/// Parameter arrays of neurons have the node's activity shape, channels first (`[N]`, `[C, L]` or `[C, H, W]`), as
/// in NIR and PyTorch; SNNKit's own layout is channels-last, and the conversions permute.
public struct NIRNode: Sendable, Hashable {
    /// The primitive and its parameters.
    public var kind: Kind
    /// Free-form information (NIR `metadata`); SNNKit keeps its training settings there (docs/nir.md).
    public var metadata: [String: NIRMetadataValue]

    /// Creates a node.
    public init(_ kind: Kind, metadata: [String: NIRMetadataValue] = [:]) {
        self.kind = kind
        self.metadata = metadata
    }

    /// The NIR primitives SNNKit reads and writes.
    public indirect enum Kind: Sendable, Hashable {
        /// `Input`: where data enters, with its shape (channels first).
        case input(shape: [Int])
        /// `Output`: where data leaves, with its shape.
        case output(shape: [Int])
        /// `Affine`: `y = W·x + b`, weight `[out, in]`, bias `[out]`.
        case affine(weight: NIRTensor, bias: NIRTensor)
        /// `Linear`: `y = W·x`, weight `[out, in]`.
        case linear(weight: NIRTensor)
        /// `Conv1d` (weight `[C_out, C_in/groups, k]`) or `Conv2d` (weight `[C_out, C_in/groups, kh, kw]`).
        case convolution(NIRConvolution)
        /// `Flatten`: dimensions `startDimension…endDimension` of the input merged into one.
        case flatten(NIRFlatten)
        /// `CubaLIF`: current-based leaky integrate-and-fire neurons.
        case cubaLIF(NIRCubaLIF)
        /// `CubaLI`: current-based leaky integrators (no spikes).
        case cubaLI(NIRCubaLI)
        /// `LIF`: leaky integrate-and-fire neurons driven directly by their input (no synaptic current).
        case lif(NIRLIF)
        /// `LI`: leaky integrators driven directly by their input.
        case li(NIRLI)
        /// `SumPool2d`: sums over 2-D windows, per channel.
        case sumPool2d(NIRPooling)
        /// `AvgPool2d`: window sums divided by the window's element count, per channel.
        case avgPool2d(NIRPooling)
        /// `NIRGraph`: a nested graph, which receives through its `Input` node and sends from its `Output` node.
        case graph(NIRGraph)
    }

    /// The NIR type name stored in the file's `type` dataset (`"CubaLIF"`, `"Conv2d"`, …).
    public var typeName: String {
        switch kind {
        case .input: return "Input"
        case .output: return "Output"
        case .affine: return "Affine"
        case .linear: return "Linear"
        case let .convolution(c): return c.spatialDimensions == 2 ? "Conv2d" : "Conv1d"
        case .flatten: return "Flatten"
        case .cubaLIF: return "CubaLIF"
        case .cubaLI: return "CubaLI"
        case .lif: return "LIF"
        case .li: return "LI"
        case .sumPool2d: return "SumPool2d"
        case .avgPool2d: return "AvgPool2d"
        case .graph: return "NIRGraph"
        }
    }

    /// The type names SNNKit reads (``NIRGraph/init(readingFrom:)``).
    public static let readableTypes = ["Input", "Output", "Affine", "Linear", "Conv1d", "Conv2d", "Flatten", "CubaLIF", "CubaLI",
                                       "LIF", "LI", "SumPool2d", "AvgPool2d", "NIRGraph"]

    /// Primitives of the NIR specification that SNNKit does not read (named as such in errors).
    public static let otherNIRTypes = ["Delay", "I", "IF", "Scale", "Threshold"]
}

/// Padding of a NIR convolution: explicit per spatial dimension, or PyTorch's `"same"` / `"valid"`.
public enum NIRPadding: Sendable, Hashable {
    /// Zeros added on both sides of each spatial dimension.
    case explicit([Int])
    /// The output has the input's extent (stride 1).
    case same
    /// No padding.
    case valid
}

/// A NIR `Conv1d` or `Conv2d` node (PyTorch semantics).
public struct NIRConvolution: Sendable, Hashable {
    /// `[C_out, C_in/groups, k…]`.
    public var weight: NIRTensor
    /// `[C_out]`.
    public var bias: NIRTensor
    /// Stride per spatial dimension.
    public var stride: [Int]
    /// Padding.
    public var padding: NIRPadding
    /// Dilation per spatial dimension.
    public var dilation: [Int]
    /// Channel groups.
    public var groups: Int
    /// The spatial extent of the input (`[L]` or `[H, W]`), if known (NIR's `input_shape`).
    public var inputShape: [Int]?

    /// Creates a convolution node.
    public init(weight: NIRTensor, bias: NIRTensor, stride: [Int], padding: NIRPadding, dilation: [Int], groups: Int, inputShape: [Int]?) {
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.inputShape = inputShape
    }

    /// 1 or 2: the weight's rank less 2.
    public var spatialDimensions: Int { weight.shape.count - 2 }
}

/// A NIR `Flatten` node.
public struct NIRFlatten: Sendable, Hashable {
    /// The shape of the input (NIR's `input_type`), if known.
    public var inputShape: [Int]?
    /// The first dimension merged (negative counts from the end).
    public var startDimension: Int
    /// The last dimension merged (−1 is the last).
    public var endDimension: Int

    /// Creates a flatten node.
    public init(inputShape: [Int]?, startDimension: Int = 0, endDimension: Int = -1) {
        self.inputShape = inputShape
        self.startDimension = startDimension
        self.endDimension = endDimension
    }
}

/// A NIR `CubaLIF` node: `τ_syn dI/dt = −I + w_in·x`, `τ_mem dv/dt = (v_leak − v) + R·I`, a spike when
/// `v > v_threshold`, then `v = v_reset`. Every array has the node's shape. Times are in seconds.
public struct NIRCubaLIF: Sendable, Hashable {
    /// τ_mem (`tau_mem`), seconds.
    public var tauMembrane: NIRTensor
    /// τ_syn (`tau_syn`), seconds.
    public var tauSynapse: NIRTensor
    /// R (`r`).
    public var resistance: NIRTensor
    /// v_leak (`v_leak`).
    public var leakPotential: NIRTensor
    /// v_threshold (`v_threshold`).
    public var threshold: NIRTensor
    /// v_reset (`v_reset`; 0 when a file has none).
    public var resetPotential: NIRTensor
    /// w_in (`w_in`; 1 when a file has none).
    public var inputWeight: NIRTensor

    /// Creates a CubaLIF node.
    public init(tauMembrane: NIRTensor, tauSynapse: NIRTensor, resistance: NIRTensor, leakPotential: NIRTensor, threshold: NIRTensor,
                resetPotential: NIRTensor, inputWeight: NIRTensor) {
        self.tauMembrane = tauMembrane
        self.tauSynapse = tauSynapse
        self.resistance = resistance
        self.leakPotential = leakPotential
        self.threshold = threshold
        self.resetPotential = resetPotential
        self.inputWeight = inputWeight
    }
}

/// A NIR `CubaLI` node: `τ_syn dI/dt = −I + w_in·x`, `τ_mem dv/dt = (v_leak − v) + R·I`; the output is v.
public struct NIRCubaLI: Sendable, Hashable {
    /// τ_mem (`tau_mem`), seconds.
    public var tauMembrane: NIRTensor
    /// τ_syn (`tau_syn`), seconds.
    public var tauSynapse: NIRTensor
    /// R (`r`).
    public var resistance: NIRTensor
    /// v_leak (`v_leak`).
    public var leakPotential: NIRTensor
    /// w_in (`w_in`; 1 when a file has none).
    public var inputWeight: NIRTensor

    /// Creates a CubaLI node.
    public init(tauMembrane: NIRTensor, tauSynapse: NIRTensor, resistance: NIRTensor, leakPotential: NIRTensor, inputWeight: NIRTensor) {
        self.tauMembrane = tauMembrane
        self.tauSynapse = tauSynapse
        self.resistance = resistance
        self.leakPotential = leakPotential
        self.inputWeight = inputWeight
    }
}

/// A NIR `LIF` node: `τ dv/dt = (v_leak − v) + R·x`, a spike when `v > v_threshold`, then `v = v_reset`.
public struct NIRLIF: Sendable, Hashable {
    /// τ (`tau`), seconds.
    public var tau: NIRTensor
    /// R (`r`).
    public var resistance: NIRTensor
    /// v_leak (`v_leak`).
    public var leakPotential: NIRTensor
    /// v_threshold (`v_threshold`).
    public var threshold: NIRTensor
    /// v_reset (`v_reset`; 0 when a file has none).
    public var resetPotential: NIRTensor

    /// Creates a LIF node.
    public init(tau: NIRTensor, resistance: NIRTensor, leakPotential: NIRTensor, threshold: NIRTensor, resetPotential: NIRTensor) {
        self.tau = tau
        self.resistance = resistance
        self.leakPotential = leakPotential
        self.threshold = threshold
        self.resetPotential = resetPotential
    }
}

/// A NIR `LI` node: `τ dv/dt = (v_leak − v) + R·x`; the output is v.
public struct NIRLI: Sendable, Hashable {
    /// τ (`tau`), seconds.
    public var tau: NIRTensor
    /// R (`r`).
    public var resistance: NIRTensor
    /// v_leak (`v_leak`).
    public var leakPotential: NIRTensor

    /// Creates a LI node.
    public init(tau: NIRTensor, resistance: NIRTensor, leakPotential: NIRTensor) {
        self.tau = tau
        self.resistance = resistance
        self.leakPotential = leakPotential
    }
}

/// A NIR `SumPool2d` or `AvgPool2d` node: windows `[kh, kw]` over `[C, H, W]`, channels pooled independently.
public struct NIRPooling: Sendable, Hashable {
    /// Window extent `[kh, kw]`.
    public var kernelSize: [Int]
    /// Stride `[sh, sw]`.
    public var stride: [Int]
    /// Zero padding `[ph, pw]` on both sides.
    public var padding: [Int]

    /// Creates a pooling node.
    public init(kernelSize: [Int], stride: [Int], padding: [Int]) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }
}
