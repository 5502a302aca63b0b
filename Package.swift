// swift-tools-version: 6.1
// Berth: a daemonless, declarative container runner for Linux.
import PackageDescription

let package = Package(
    name: "Berth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "berth", targets: ["berth"]),
        .executable(name: "berth-monitor", targets: ["berth-monitor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        // Registry uses NIO's types directly (event loops, TLS configuration); the floors are async-http-client's.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.100.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
    ],
    targets: [
        // libarchive's headers (Debian: libarchive-dev), and libarchive.so.13 loaded on first use (loader.c), so
        // the processes that never read a tar (`--version`, `ps`, the monitors) do not load it and its 10 libraries.
        .target(name: "CArchive"),

        // System library: Intel ISA-L's inflate for gzip layers (Debian: libisal-dev). Optional at build time:
        // its module map names the header by absolute path, so without libisal-dev the module is unavailable,
        // `canImport(CISAL)` is false and TarArchive inflates with zlib (libarchive) instead.
        .systemLibrary(name: "CISAL", path: "Sources/CISAL", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),

        // Linux calls Swift cannot make directly (variadic prctl).
        .target(name: "CLinuxShims"),
        // Error vocabulary shared by every stage; no dependencies.
        .target(name: "Diagnostics"),
        // System support every stage shares: the one validator of outside names, the state-root path guard,
        // SHA-256 hex digests, atomic file writes, file locks, child processes, the worker-thread pool.
        .target(
            name: "BerthSystem",
            dependencies: [
                "CLinuxShims", "Diagnostics",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // OCI image-spec and runtime-spec documents; imports nothing of Berth's.
        .target(name: "OCI"),
        // Reading and writing tar streams through libarchive; gzip inflated by ISA-L when CISAL is available.
        .target(
            name: "TarArchive",
            dependencies: [
                "CArchive", "CISAL", "Diagnostics",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // berth.yaml: YAML with locations → raw description → validated manifest.
        .target(name: "Manifest", dependencies: ["Diagnostics", "BerthSystem", "OCI", "Yams"]),
        // The OCI image layout under the state root: blobs, references, imports.
        .target(
            name: "ImageStore",
            dependencies: [
                "Diagnostics", "BerthSystem", "OCI", "TarArchive",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Layer snapshots keyed by chain ID, and unpacking layers into them.
        .target(
            name: "Snapshots",
            dependencies: [
                "Diagnostics", "BerthSystem", "OCI", "TarArchive", "ImageStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The OCI runtime spec (config.json) for one container, as containerd would build it.
        .target(name: "SpecBuilder", dependencies: ["Diagnostics", "BerthSystem", "OCI", "Manifest"]),
        // The OCI runtime driver (runc, crun).
        .target(name: "Runtime", dependencies: ["Diagnostics", "BerthSystem", "OCI"]),
        // Container networking through the CNI plugins: netns files, conflists, ADD/DEL with cached results,
        // hosts and resolv.conf files. Takes plain values; the executor wires the manifest to it.
        .target(name: "Networking", dependencies: ["CLinuxShims", "Diagnostics", "BerthSystem", "OCI"]),
        // SQLite state: projects, containers.
        .target(
            name: "State",
            dependencies: [
                "Diagnostics", "BerthSystem", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Manifest + store + snapshots + state → a deterministic plan. Never imports Runtime or Executor.
        .target(
            name: "Planner",
            dependencies: [
                "Diagnostics", "BerthSystem", "OCI", "Manifest", "ImageStore", "Snapshots", "State", "Checkpoint", "Registry", "SpecBuilder",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // A container's monitor: runs it with the runtime, logs its output, records its runs, restarts it,
        // probes its health. Kept to what that needs: it is linked into its own small executable.
        .target(
            name: "Supervision", dependencies: ["CLinuxShims", "Diagnostics", "BerthSystem", "OCI", "Manifest", "Runtime", "Snapshots", "State"]),
        // Carries out a plan: unpacks, writes bundles, runs containers.
        .target(
            name: "Executor",
            dependencies: [
                "CLinuxShims", "Diagnostics", "BerthSystem", "OCI", "Manifest", "ImageStore", "Snapshots", "Checkpoint",
                "SpecBuilder", "Runtime", "State", "Planner", "Registry", "Networking", "ImageBuild", "Supervision",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // OCI distribution client: pulls images from registries into the image store.
        .target(
            name: "Registry",
            dependencies: [
                "Diagnostics", "BerthSystem", "OCI", "ImageStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Checkpoint images (containerd's layout): writing them from a container, reading them to restore.
        .target(
            name: "Checkpoint",
            dependencies: [
                "CArchive", "Diagnostics", "BerthSystem", "OCI", "ImageStore", "Snapshots", "TarArchive",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // A manifest as Kubernetes objects (`berth export kubernetes`).
        .target(name: "KubernetesExport", dependencies: ["Diagnostics", "OCI", "Manifest"]),
        // Images of `build:` made with buildah and imported into the store.
        .target(name: "ImageBuild", dependencies: ["Diagnostics", "BerthSystem", "Manifest", "ImageStore", "State", "OCI"]),
        // A project as a systemd unit that applies it at boot (`berth export systemd`).
        .target(name: "SystemdExport", dependencies: ["BerthSystem"]),
        // The command line: parses and prints; logic lives in the modules above.
        .target(
            name: "BerthCLI",
            dependencies: [
                "Diagnostics", "BerthSystem", "OCI", "Manifest", "ImageStore", "Snapshots",
                "SpecBuilder", "Runtime", "State", "Planner", "Executor", "Supervision",
                "Registry", "KubernetesExport", "SystemdExport", "ImageBuild", "Checkpoint", "TarArchive",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "berth", dependencies: ["BerthCLI"], exclude: ["exports.map", "static-ld.sh"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/berth/exports.map"])]),
        // Each container's monitor, started by `berth apply`/`start`: the Supervision module alone, so that a
        // supervised container costs less memory than with the whole `berth` binary.
        .executableTarget(
            name: "berth-monitor", dependencies: ["Supervision"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/berth/exports.map"])]),

        // Helpers shared by the test targets (golden files); used by test targets only.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics"]),
        .testTarget(name: "BerthSystemTests", dependencies: ["BerthSystem", "Diagnostics"]),
        .testTarget(name: "OCITests", dependencies: ["OCI"]),
        .testTarget(name: "TarArchiveTests", dependencies: ["TarArchive"]),
        .testTarget(
            name: "ManifestTests", dependencies: ["Manifest", "Diagnostics", "BerthSystem", "TestSupport", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ImageStoreTests", dependencies: ["ImageStore", "OCI", "TarArchive"]),
        .testTarget(name: "SnapshotsTests", dependencies: ["Snapshots", "ImageStore", "OCI", "TarArchive"]),
        .testTarget(
            name: "SpecBuilderTests", dependencies: ["SpecBuilder", "Manifest", "OCI", "Diagnostics", "TestSupport"], resources: [.copy("Golden")]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "OCI"]),
        .testTarget(name: "NetworkingTests", dependencies: ["Networking", "BerthSystem", "Diagnostics", "OCI"]),
        .testTarget(name: "StateTests", dependencies: ["State", "BerthSystem"]),
        .testTarget(
            name: "PlannerTests", dependencies: ["Planner", "Manifest", "ImageStore", "Snapshots", "State", "OCI", "SpecBuilder", "BerthSystem"]),
        .testTarget(
            name: "ExecutorTests",
            dependencies: ["Executor", "Supervision", "BerthSystem", "Planner", "Manifest", "ImageStore", "Snapshots", "State", "OCI", "Runtime"]),
        .testTarget(name: "SupervisionTests", dependencies: ["Supervision", "Manifest", "State", "OCI", "Runtime"]),
        .testTarget(name: "CheckpointTests", dependencies: ["CArchive", "Checkpoint", "ImageStore", "TarArchive", "OCI", "Runtime"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "ImageStore", "OCI"]),
        .testTarget(
            name: "KubernetesExportTests", dependencies: ["KubernetesExport", "Manifest", "OCI", "TestSupport"],
            resources: [.copy("Golden")]),
        .testTarget(name: "ImageBuildTests", dependencies: ["ImageBuild", "Manifest"]),
        .testTarget(name: "SystemdExportTests", dependencies: ["SystemdExport", "TestSupport"], resources: [.copy("Golden")]),
        .testTarget(name: "BerthCLITests", dependencies: ["BerthCLI", "State", "Executor", "TestSupport"], resources: [.copy("Golden")]),
        .testTarget(name: "IntegrationTests", dependencies: ["OCI", "Runtime", "Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (issue #13), one per parser entry point; declared only with BERTH_FUZZ set, so they stay out of
// `swift build`, `swift test` and the release product. `make fuzz` builds them with
// `BERTH_FUZZ=1 swift build --sanitize=fuzzer,address --scratch-path .build-fuzz` and runs each from Tests/Fuzz/corpus.
if Context.environment["BERTH_FUZZ"] != nil {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzManifest", ["Manifest", "Diagnostics"]),
        ("FuzzSavedPlan", ["Planner"]),
        ("FuzzOCIJSON", ["OCI", "ImageStore"]),
        ("FuzzTarNames", ["TarArchive", "CArchive"]),
        ("FuzzAuthChallenge", ["Registry"]),
        ("FuzzDockerConfig", ["Registry"]),
    ]
    for target in fuzzTargets {
        // No main.swift: libFuzzer's main calls the target's `LLVMFuzzerTestOneInput`.
        package.targets.append(
            .executableTarget(
                name: target.name, dependencies: target.dependencies,
                path: "Tests/Fuzz/\(target.name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
