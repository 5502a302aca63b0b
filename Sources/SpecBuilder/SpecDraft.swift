import OCI

/// A spec under construction, with the optional parts made concrete so each step can edit them.
struct SpecDraft {
    var base: RuntimeSpec
    var process: OCIProcess
    var linux: OCILinux
    var root: OCIRoot
    var mounts: [OCIMount]
    var annotations: [String: String]

    init(_ spec: RuntimeSpec) {
        base = spec
        process = spec.process ?? OCIProcess()
        linux = spec.linux ?? OCILinux()
        root = spec.root ?? OCIRoot(path: "rootfs")
        mounts = spec.mounts ?? []
        annotations = spec.annotations ?? [:]
    }

    var env: [String] {
        get { process.env ?? [] }
        set { process.env = newValue }
    }

    var namespaces: [OCINamespace] {
        get { linux.namespaces ?? [] }
        set { linux.namespaces = newValue }
    }

    var resources: OCIResources {
        get { linux.resources ?? OCIResources() }
        set { linux.resources = newValue }
    }

    func finish() -> RuntimeSpec {
        var spec = base
        var process = process
        if process.env?.isEmpty == true { process.env = nil }
        spec.process = process
        spec.linux = linux
        spec.root = root
        spec.mounts = mounts.isEmpty && base.mounts == nil ? nil : mounts
        spec.annotations = annotations.isEmpty ? nil : annotations
        return spec
    }
}
