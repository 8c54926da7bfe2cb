// swift-tools-version:6.0
// SNNKit: training spiking neural networks with surrogate gradients and
// fluctuation-driven initialization. See README.md and docs/.
import PackageDescription

let package = Package(
    name: "SNNKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SNNKit", targets: ["SNNKit"]),
        .library(name: "SNNData", targets: ["SNNData"]),
        .library(name: "SNNKernels", targets: ["SNNKernels"]),
        .library(name: "SNNTestSupport", targets: ["SNNTestSupport"]),
        .library(name: "SNNExperiments", targets: ["SNNExperiments"]),
        .executable(name: "snn", targets: ["snn"]),
        .executable(name: "snn-bench", targets: ["snn-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // OpenBLAS on Linux (Debian: libopenblas-dev); Accelerate is used on Apple platforms.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "pkg-config"]), .brew(["openblas"])]
        ),
        // HDF5 (serial) for SHD/SSC and other HDF5 data: Debian libhdf5-dev installs hdf5.pc; Homebrew hdf5 too.
        .systemLibrary(
            name: "CHDF5",
            path: "Sources/CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev", "pkg-config"]), .brew(["hdf5", "pkg-config"])]
        ),
        // zlib for NumPy .npz archives (ZIP entries compressed with DEFLATE): Debian zlib1g-dev installs zlib.pc;
        // macOS ships zlib with the SDK.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev", "pkg-config"])]
        ),
        // C micro-kernels: each vector function carries its own target attribute and runs after a CPU check.
        .target(name: "CSNNKernels"),
        .target(
            name: "SNNKernels",
            dependencies: ["CSNNKernels", .target(name: "COpenBLAS", condition: .when(platforms: [.linux]))]
        ),
        .target(name: "SNNKit", dependencies: ["SNNKernels"]),
        .target(name: "SNNData", dependencies: ["SNNKit", "CHDF5", "CZlib"]),
        .target(name: "SNNTestSupport", dependencies: ["SNNKit"]),
        // YAML experiment configurations (configs/*.yaml), experiments, and running them.
        .target(name: "SNNExperiments", dependencies: ["SNNKit", "SNNKernels", "SNNData", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "snn",
            dependencies: [
                "SNNKit", "SNNData", "SNNExperiments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "snn-bench", dependencies: ["SNNKit", "SNNKernels", "SNNData"]),
        .testTarget(name: "SNNKernelsTests", dependencies: ["SNNKernels"]),
        .testTarget(name: "SNNKitTests", dependencies: ["SNNKit", "SNNData", "SNNTestSupport"]),
        .testTarget(name: "SNNDataTests", dependencies: ["SNNData", "SNNKit", "CHDF5"]),
        .testTarget(name: "SNNExperimentsTests", dependencies: ["SNNExperiments", "SNNData", "SNNKit"]),
    ]
)
