// SNNData: data sets for SNNKit — the Randman generator, and (to come) SHD/SSC, RAS, IDX and event-stream loaders.
// Every loader produces an `SNNKit.SpikeDataset`.
@_exported import SNNKit
