import Foundation
import Manifest
import OCI
import SpecBuilder
import State

/// The one way a container's spec input is put together, for `apply`, checkpoint restores and `berth spec`
/// alike: the planned container's resolved decisions, the image configuration (or a checkpoint's spec as the
/// base), the prepared rootfs, and the pids of the project's running containers for `with-ns` container
/// joins, read from the state.
public enum SpecAssembly {
    public static func input(
        project: String, container: ResolvedContainer, root: StateRoot, state: StateStore,
        imageConfig: ImageConfiguration?, baseSpec: RuntimeSpec? = nil,
        rootfsPath: String, networking: ContainerNetworking? = nil
    ) throws -> SpecInput {
        let peers = try state.containers(project: project).reduce(into: [String: Int32]()) { result, record in
            if record.status == .running, let pid = record.pid { result[record.name] = pid }
        }
        var input = SpecInput(
            project: project, stateRootID: root.identity, container: container,
            imageConfig: baseSpec == nil ? imageConfig : nil, rootfsPath: rootfsPath, peerPIDs: peers)
        input.baseSpec = baseSpec
        if !container.secretMounts.isEmpty {
            input.secretsDirectory = try root.secretsDirectory(project: project, name: container.name)
        }
        if container.initProcess { input.initBinary = SpecInput.locateInitBinary() }
        let owner = container.namespaceJoins.lazy.compactMap { join -> String? in
            guard join.type == .network, case .container(let name) = join.target else { return nil }
            return name
        }.first
        if let owner, !(try state.attachments(project: project, container: owner)).isEmpty {
            let files = try (networking ?? ContainerNetworking(root: root, state: state)).resolutionFiles(project: project, name: owner)
            input.joinedResolutionFiles = (files.hosts, files.resolvConf)
        }
        if container.attachesNetworks {
            let networking = try networking ?? ContainerNetworking(root: root, state: state)
            let files = try networking.resolutionFiles(project: project, name: container.name)
            input.network = SpecInput.NetworkFacts(
                namespacePath: try networking.namespacePath(project: project, name: container.name), hostsFile: files.hosts,
                resolvConfFile: files.resolvConf)
        }
        return input
    }
}
