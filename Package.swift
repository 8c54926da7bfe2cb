// swift-tools-version:6.0
// SNNKit: training spiking neural networks with surrogate gradients and
// fluctuation-driven initialization. See README.md and docs/.
import Foundation
import PackageDescription

/// Code generation for the build machine's vector units: on an x86-64 Linux host with AVX2 and FMA (Haswell or later,
/// AMD Zen), Swift code is compiled for the `haswell` CPU — 8-wide AVX instead of 4-wide SSE for every SIMD kernel
/// (measured: the reference train step ≈ 30 % faster, see docs/benchmarks.md). Such a build runs on CPUs with those
/// features only (a binary copied to an older x86-64 stops with an illegal instruction). `SNNKIT_PORTABLE=1` builds for
/// the x86-64 baseline instead, passing no compiler flags at all — as does a checkout of this package as another
/// package's dependency (SwiftPM refuses unsafe flags in versioned dependencies); `SNNKIT_TARGET_CPU=<name>` picks
/// another `-target-cpu`. Apple platforms and other hosts use the compiler's default.
let hostTuning: [SwiftSetting] = {
    let environment = ProcessInfo.processInfo.environment
    if environment["SNNKIT_PORTABLE"] == "1" || Context.packageDirectory.contains("/checkouts/") { return [] }
    if let cpu = environment["SNNKIT_TARGET_CPU"], !cpu.isEmpty { return [.unsafeFlags(["-target-cpu", cpu])] }
    #if os(Linux) && arch(x86_64)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
    let flags = Set(line.split(separator: " ").map(String.init))
    // What compiled code may use on `haswell`: AVX2, FMA, F16C, BMI1/2, LZCNT (cpuinfo: abm), MOVBE, POPCNT.
    let needed: Set = ["avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "abm", "movbe", "popcnt", "sse4_2"]
    return needed.isSubset(of: flags) ? [.unsafeFlags(["-target-cpu", "haswell"])] : []
    #else
    return []
    #endif
}()

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
        .target(
            name: "SNNKernels",
            dependencies: [.target(name: "COpenBLAS", condition: .when(platforms: [.linux]))],
            swiftSettings: hostTuning
        ),
        .target(name: "SNNKit", dependencies: ["SNNKernels"], swiftSettings: hostTuning),
        .target(name: "SNNData", dependencies: ["SNNKit", "CHDF5", "CZlib"], swiftSettings: hostTuning),
        .target(name: "SNNTestSupport", dependencies: ["SNNKit"], swiftSettings: hostTuning),
        // YAML experiment configurations (configs/*.yaml), experiments, and running them.
        .target(name: "SNNExperiments", dependencies: ["SNNKit", "SNNKernels", "SNNData", .product(name: "Yams", package: "Yams")],
                swiftSettings: hostTuning),
        .executableTarget(
            name: "snn",
            dependencies: [
                "SNNKit", "SNNData", "SNNExperiments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: hostTuning
        ),
        .executableTarget(name: "snn-bench", dependencies: ["SNNKit", "SNNKernels", "SNNData"], swiftSettings: hostTuning),
        .testTarget(name: "SNNKernelsTests", dependencies: ["SNNKernels"], swiftSettings: hostTuning),
        .testTarget(name: "SNNKitTests", dependencies: ["SNNKit", "SNNData", "SNNTestSupport"], swiftSettings: hostTuning),
        .testTarget(name: "SNNDataTests", dependencies: ["SNNData", "SNNKit", "CHDF5"], swiftSettings: hostTuning),
        .testTarget(name: "SNNExperimentsTests", dependencies: ["SNNExperiments", "SNNData", "SNNKit"], swiftSettings: hostTuning),
    ]
)
