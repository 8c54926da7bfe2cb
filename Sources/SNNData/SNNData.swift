// SNNData: data sets for SNNKit — the Randman generator, HDF5 files (HDF5File) and the SHD/SSC format
// (SpikeDataset.loadSHD / writeSHD, SyntheticSHD); NumPy .npy/.npz (NPYFile, NPZArchive) with dense spikes
// (loadNumPy / writeNumPy) and RAS event lists (loadRAS / writeRAS); IDX images (IDXFile) with latency coding
// (latencyCoded); DVS event streams (DVSEventFile, loadDVSEvents); DataSummary for `snn data`.
// Every loader produces an `SNNKit.SpikeDataset`.
@_exported import SNNKit
