import SNNKit

extension NetworkConfiguration {
    /// Follows the activity layout from the input through the layers and checks that every convolution and pooling
    /// window fits its source grid, so that geometry errors name the offending key (`network.layers[2].kernel`).
    /// - Parameter inputShape: the input layout `[channels, spatial...]`.
    /// - Returns: each layer's output layout `[channels, spatial...]`.
    func checkGeometry(inputShape: [Int]) throws(ConfigurationIssue) -> [[Int]] {
        var shapes: [[Int]] = []
        var source = inputShape
        for (k, layer) in layers.enumerated() {
            let path: [PathComponent] = [.key("network"), .key("layers"), .index(k)]
            func fail(_ key: String, _ reason: String) -> ConfigurationIssue {
                ConfigurationIssue(path: path + [.key(key)], kind: .invalid(reason))
            }
            /// The source as channels × grid for a `dimensions`-D window (a flat source is one channel × N for 1-D).
            func grid(_ dimensions: Int, key: String) throws(ConfigurationIssue) -> (channels: Int, extent: [Int]) {
                if source.count == 1 && dimensions == 1 { return (1, source) }
                guard source.count - 1 == dimensions else {
                    let what = source.count == 1 ? "a flat source of \(source[0]) units" : "a source of layout \(source)"
                    let hint = k == 0 && dimensions == 2 ? " (set network.inputShape to [channels, height, width])" : ""
                    throw fail(key, "a \(dimensions)-D window needs a \(dimensions)-D source grid, but layer \(k) reads \(what)\(hint)")
                }
                return (source[0], Array(source.dropFirst()))
            }
            /// Output extents of a window; throws when the (dilated) window is larger than the padded input.
            func extents(_ input: [Int], window: [Int], stride: [Int], padding: [Int], dilation: [Int], key: String) throws(ConfigurationIssue) -> [Int] {
                var out: [Int] = []
                for i in input.indices {
                    let span = dilation[i] * (window[i] - 1) + 1, padded = input[i] + 2 * padding[i]
                    guard span <= padded else {
                        throw fail(key, "\(window) (dilation \(dilation)) does not fit the source extent \(input) with padding \(padding): no output position")
                    }
                    out.append((padded - span) / stride[i] + 1)
                }
                return out
            }
            switch layer {
            case let .lif(l), let .adaptiveLIF(l): source = [l.size]
            case let .dale(d): source = [d.excitatory]
            case let .readout(r): source = [r.size]
            case let .conv(c):
                let (channels, input) = try grid(c.kernel.count, key: "kernel")
                let ones = [Int](repeating: 1, count: c.kernel.count)
                guard channels % c.groups == 0, c.channels % c.groups == 0 else {
                    throw fail("groups", "input channels \(channels) and filters \(c.channels) must both be divisible by groups \(c.groups)")
                }
                source = [c.channels] + (try extents(input, window: c.kernel, stride: c.stride ?? ones, padding: c.padding ?? ones.map { _ in 0 },
                                                     dilation: c.dilation ?? ones, key: "kernel"))
            case let .pool(p):
                let (channels, input) = try grid(p.window.count, key: "window")
                if let padding = p.padding, let i = padding.indices.first(where: { 2 * padding[$0] > p.window[$0] }) {
                    throw fail("padding", "expected at most half the window \(p.window) in each dimension, found \(padding[i]) in \(padding)")
                }
                let ones = [Int](repeating: 1, count: p.window.count)
                source = [channels] + (try extents(input, window: p.window, stride: p.stride ?? p.window, padding: p.padding ?? ones.map { _ in 0 },
                                                   dilation: ones, key: "window"))
            }
            shapes.append(source)
        }
        return shapes
    }
}
