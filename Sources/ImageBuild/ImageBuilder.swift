import BerthSystem
import Foundation
import ImageStore
import Manifest
import State

/// Builds containers' images with buildah (daemonless; its storage under the state root, `vfs` and `chroot`
/// isolation so it needs no overlay or user namespaces) and imports the result into Berth's store under the
/// container's `image`. A build is made only when its inputs (`BuildInputs`) changed since the last one, or
/// its image left the store; base images in Berth's store are handed to buildah first, others it pulls.
public struct ImageBuilder: Sendable {
    public var root: StateRoot
    public var images: ImageStore
    public var buildah: String

    public init(root: StateRoot, images: ImageStore, buildah: String = "/usr/bin/buildah") {
        self.root = root
        self.images = images
        self.buildah = buildah
    }

    /// Whether the image must be built, and why.
    public struct Status: Sendable, Equatable {
        public var needed: Bool
        public var reason: String
    }

    /// What was recorded by the last build of a container.
    struct Record: Codable {
        var inputs: BuildInputs
        var image: String
    }

    public func status(project: String, container: ContainerDefinition) throws -> Status? {
        try assess(project: project, container: container)?.status
    }

    /// The status with the inputs it was judged on (read once: a context can be large).
    private func assess(project: String, container: ContainerDefinition) throws -> (status: Status, inputs: BuildInputs)? {
        guard let build = container.build, let reference = container.image else { return nil }
        let inputs = try BuildInputs.read(build)
        func judged(_ needed: Bool, _ reason: String) -> (Status, BuildInputs) { (Status(needed: needed, reason: reason), inputs) }
        guard let record = try record(project: project, name: container.name) else { return judged(true, "never built") }
        guard let image = try images.lookup(reference) else { return judged(true, "image \(reference) is not in the store") }
        if image.digest.description != record.image { return judged(true, "image \(reference) was replaced since the build") }
        let changes = inputs.changes(since: record.inputs)
        return changes.isEmpty ? judged(false, "up to date") : judged(true, changes.joined(separator: "; "))
    }

    /// Builds `container`'s image when needed (always with `force`); returns what was done.
    @discardableResult
    public func build(project: String, container: ContainerDefinition, force: Bool = false, log: (String) -> Void = { _ in }) throws -> Status? {
        guard let build = container.build, let reference = container.image, let (status, inputs) = try assess(project: project, container: container)
        else { return nil }
        guard status.needed || force else { return status }
        let work = try root.buildDirectory(project: project)
        try DirectoryMaker.create(work, mode: 0o700)
        let scratch = try root.buildDirectory(project: project, container: container.name) + ".tmp"
        try? TreeRemoval.remove(scratch, inside: root.path)
        try DirectoryMaker.create(scratch, mode: 0o700)
        defer { try? TreeRemoval.remove(scratch, inside: root.path) }

        var dockerfile = build.dockerfilePath ?? scratch + "/Dockerfile"
        if let inline = build.dockerfileInline {
            try Data(inline.utf8).write(to: URL(fileURLWithPath: scratch + "/Dockerfile"))
            dockerfile = scratch + "/Dockerfile"
        }
        try provideBaseImages(dockerfile: dockerfile, scratch: scratch)
        let tag = "localhost/berth-build/\(project)-\(container.name):latest"
        var arguments = storage + ["build", "--isolation", "chroot", "-f", dockerfile, "-t", tag]
        for (key, value) in build.args.sorted(by: { $0.key < $1.key }) { arguments += ["--build-arg", "\(key)=\(value)"] }
        for (key, value) in build.labels.sorted(by: { $0.key < $1.key }) { arguments += ["--label", "\(key)=\(value)"] }
        if let target = build.target { arguments += ["--target", target] }
        if build.noCache { arguments.append("--no-cache") }
        if build.pull { arguments.append("--pull-always") }
        arguments.append(build.context)
        log("building \(container.name) (\(status.reason)) with buildah")
        try run(arguments, what: "build of \(container.name)")
        let archive = scratch + "/image.tar"
        try run(storage + ["push", "--quiet", tag, "oci-archive:\(archive):\(reference)"], what: "export of \(container.name)'s image")
        let imported = try images.importArchive(path: archive)
        guard let image = imported.first else { throw BuildError("build-import-failed", "buildah wrote no image for \(container.name)") }
        if image.reference != (try ImageReference(parsing: reference)).description {
            try images.tag(source: image.reference, target: reference)
        }
        let resolved = try images.resolve(reference)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(
            try encoder.encode(Record(inputs: inputs, image: resolved.digest.description)),
            to: try root.buildDirectory(project: project, container: container.name) + ".json", mode: 0o600,
            durability: .crashSafe)
        return Status(needed: true, reason: "built \(resolved.digest)")
    }

    /// buildah's storage, under the state root.
    var storage: [String] {
        ["--root", root.path + "/buildah/storage", "--runroot", root.path + "/buildah/run", "--storage-driver", "vfs"]
    }

    private func record(project: String, name: String) throws -> Record? {
        let path = try root.buildDirectory(project: project, container: name) + ".json"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Record.self, from: data)
    }

    /// Each `FROM` image that is in Berth's store (and not a stage or `scratch`) exported and given to buildah
    /// under the same name, so the build uses it instead of asking a registry.
    private func provideBaseImages(dockerfile: String, scratch: String) throws {
        let text = (try? String(contentsOfFile: dockerfile, encoding: .utf8)) ?? ""
        var stages: Set<String> = ["scratch"]
        var index = 0
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init).filter { !$0.hasPrefix("--") }
            guard words.first?.uppercased() == "FROM", words.count >= 2 else { continue }
            let base = words[1]
            // The stage named here counts from the next line on (`FROM busybox AS busybox` still needs the image).
            let stage = words.count >= 4 && words[2].uppercased() == "AS" ? words[3].lowercased() : nil
            defer { if let stage { stages.insert(stage) } }
            guard !stages.contains(base.lowercased()), !base.contains("$"), try images.lookup(base) != nil else { continue }
            index += 1
            let archive = scratch + "/base-\(index).tar"
            try images.export(reference: base, to: archive)
            let pulled = try run(storage + ["pull", "--quiet", "oci-archive:\(archive)"], what: "hand-over of base image \(base)")
            let id = pulled.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            try run(storage + ["tag", id, base], what: "naming base image \(base)")
        }
    }

    @discardableResult
    private func run(_ arguments: [String], what: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: buildah) else {
            throw BuildError("buildah-missing", "\(buildah) is not installed (Debian package buildah): it builds the images of `build:`")
        }
        let output = try Command(buildah, arguments).run()
        guard output.status == 0 else {
            let lines = (output.stderrText + output.stdoutText).split(whereSeparator: \.isNewline).suffix(8).joined(separator: "\n  ")
            throw BuildError("build-failed", "\(what) failed (buildah exit \(output.status)):\n  \(lines)")
        }
        return output.stdoutText
    }
}
