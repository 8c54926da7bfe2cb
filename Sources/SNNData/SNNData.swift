// SNNData: data sets for SNNKit — the Randman generator, HDF5 files (HDF5File) and the SHD/SSC format
// (SpikeDataset.loadSHD / writeSHD, SyntheticSHD); RAS, IDX and event-stream loaders to come.
// Every loader produces an `SNNKit.SpikeDataset`.
@_exported import SNNKit
