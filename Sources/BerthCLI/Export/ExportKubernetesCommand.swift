import ArgumentParser
import BerthSystem
import Diagnostics
import Executor
import Foundation
import KubernetesExport
import Manifest
import OCI
#if canImport(Glibc)
import Glibc
#endif

extension ExportOptions.Workload: ExpressibleByArgument {}

/// `berth export kubernetes`: the manifest as Kubernetes YAML, one document per object.
struct ExportKubernetes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubernetes",
        abstract: "Write the manifest as Kubernetes objects (a Namespace, a Service per Pod with ports, one workload per Pod).",
        discussion: """
            Containers joined through `with-ns: {container: …}` (network, ipc, uts, pid) share one Pod. \
            Fields Kubernetes cannot express are reported on stderr as warnings and left out; --strict makes them errors.
            """)

    @OptionGroup(title: "Manifest") var manifest: ManifestOptions
    @OptionGroup(title: "State") var global: GlobalOptions

    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp("A directory for one file per object, or - for standard output.", valueName: "dir"))
    var output: String = "-"

    @Option(help: "The workload kind per Pod: pod, deployment (one replica) or job.")
    var workload: ExportOptions.Workload = .deployment

    @Flag(help: "Pin each image to its digest in the image store (name@sha256:…).")
    var pinDigests = false

    func run() throws {
        var loaded = try manifest.load()
        if let name = manifest.projectName { loaded.name = name }
        let needsStore = pinDigests || loaded.containers.contains { Self.hasUserName($0.user) }
        let context = needsStore ? try Context(global) : nil
        var options = ExportOptions(workload: workload, strict: manifest.strict)
        if let context {
            if pinDigests { options.pinnedDigests = try Self.digests(of: loaded, in: context) }
            let tables = try Self.userTables(of: loaded, in: context)
            options.userResolver = { image, user in try tables[image].map { try $0.resolve(user) } }
        }
        let result = try KubernetesExporter.export(loaded, options: options)
        for warning in result.warnings { printError(warning.description) }
        if output == "-" {
            FileHandle.standardOutput.write(Data(result.stream.utf8))
            return
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        for document in result.documents {
            try Self.writeAtomically(Data(document.yaml.utf8), to: output + "/" + document.fileName)
        }
    }

    /// A user given by name (not `uid` or `uid:gid`) needs the image's /etc/passwd or /etc/group.
    static func hasUserName(_ user: String?) -> Bool {
        guard let user else { return false }
        return !user.allSatisfy { $0 == ":" || ($0.isASCII && $0.isNumber) }
    }

    /// The digest a registry knows each image by: its index.json entry (an image index or a manifest).
    static func digests(of manifest: ProjectManifest, in context: Context) throws -> [String: Digest] {
        var digests: [String: Digest] = [:]
        for image in Set(manifest.containers.compactMap(\.image)) {
            digests[image] = try context.images.resolve(image).indexDescriptor.digest
        }
        return digests
    }

    /// The passwd and group files of each unpacked image whose containers name a user; absent when not unpacked.
    static func userTables(of manifest: ProjectManifest, in context: Context) throws -> [String: ImageUserTables] {
        var tables: [String: ImageUserTables] = [:]
        for container in manifest.containers where hasUserName(container.user) {
            guard let image = container.image, tables[image] == nil else { continue }
            let resolved = try context.images.resolve(image)
            guard let view = try RootfsView(image: resolved, snapshots: context.snapshots.store(for: container.snapshotter)) else {
                continue
            }
            defer { view.close() }
            func read(_ file: String) -> String? {
                FileManager.default.contents(atPath: view.path + file).map { String(decoding: $0, as: UTF8.self) }
            }
            tables[image] = ImageUserTables(passwd: read("/etc/passwd"), group: read("/etc/group"))
        }
        return tables
    }

    /// Atomically and durably (`AtomicFile`'s `.durable` policy): a reader sees the old file or the new one.
    static func writeAtomically(_ data: Data, to path: String) throws {
        do { try AtomicFile.write(data, to: path) } catch { throw ExportWriteError(message: error.description) }
    }
}

/// An output file of `berth export` could not be written (exit 1).
struct ExportWriteError: BerthError {
    var message: String
    var code: String { "export-write-failed" }
    var category: ErrorCategory { .runtime }
}
