import ArgumentParser
import Foundation
import SNNData
import SNNKit

/// `snn export --nir OUT.nir --network NETWORK.json`: writes a saved network as a NIR graph (docs/nir.md).
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a saved network (the JSON of SpikingNetwork.save(to:), e.g. a --checkpoint) to another format.",
        discussion: """
            --nir writes the Neuromorphic Intermediate Representation (HDF5, readable by the `nir` Python package): \
            CubaLIF, CubaLI, LIF and LI (τ_syn = 0), Affine/Linear, Conv1d/Conv2d, SumPool2d/AvgPool2d, Flatten, and nested graphs for recurrent \
            layers, with the continuous-time parameters of docs/nir.md.
            """)

    @Option(help: "The NIR file to write (HDF5).") var nir: String
    @Option(help: "The network to export: JSON written by SpikingNetwork.save(to:) (snn train --checkpoint).") var network: String
    @Flag(help: "Print one JSON object describing the graph written.") var json = false

    func run() throws {
        do {
            guard let data = FileManager.default.contents(atPath: network) else {
                throw ExportError(message: "\(network): cannot read the network file")
            }
            let decoded: SpikingNetwork
            do {
                decoded = try JSONDecoder().decode(SpikingNetwork.self, from: data)
            } catch {
                throw ExportError(message: "\(network): not a network written by SpikingNetwork.save(to:): \(error)")
            }
            // Validated again, keeping the input's layout (a grid input feeds convolutions).
            let net = try SpikingNetwork(inputs: decoded.inputs, inputShape: decoded.inputShape, timeStep: decoded.timeStep, layers: decoded.layers)
            let graph = try NIRGraph(network: net)
            try graph.write(to: nir)
            let counts = Dictionary(grouping: graph.nodes.values, by: \.typeName).mapValues(\.count)
            if json {
                printJSON(["file": nir, "nodes": graph.nodes.count, "edges": graph.edges.count, "node_types": counts,
                           "time_step_s": net.timeStep.seconds])
            } else {
                let types = counts.keys.sorted().map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
                print("wrote \(nir): \(graph.nodes.count) nodes (\(types)), \(graph.edges.count) edges, Δt \(net.timeStep)")
            }
        } catch {
            fail(error)
        }
    }
}

/// A failure of `snn export` before any conversion, as one line naming the file.
private struct ExportError: Error, CustomStringConvertible {
    /// The line printed.
    let message: String

    /// The message.
    var description: String { message }
}
