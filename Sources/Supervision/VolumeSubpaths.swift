import BerthSystem
import Foundation
import OCI
import State
#if canImport(Glibc)
import Glibc
#endif

/// The volume paths a container's spec binds.
public enum VolumeSubpaths {
    /// Before every run of a container (its first, `start`, a restart): the spec's bind sources inside a
    /// volume's data (a `subpath`) must still be real directories. The container itself can write the volume,
    /// and a link it planted there would otherwise make the runtime bind whatever host path it names.
    public static func check(bundle: String, root: StateRoot) throws {
        let prefix = root.volumes + "/"
        guard let bytes = SmallFile.bytes(bundle + "/config.json"), SmallFile.contains(bytes, prefix),
            let spec = try? CanonicalJSON.decode(RuntimeSpec.self, from: Data(bytes))
        else { return }
        for mount in spec.mounts ?? [] {
            guard mount.type == "bind", let source = mount.source, source.hasPrefix(prefix),
                let range = source.range(of: "/_data/")
            else { continue }
            var path = String(source[..<range.lowerBound]) + "/_data"
            for component in source[range.upperBound...].split(separator: "/") {
                path += "/" + component
                var info = stat()
                guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                    throw SupervisionError(
                        "volume-subpath",
                        "the volume path \(source) mounted at \(mount.destination) passes through \(path), which is no longer a directory; refusing to start"
                    )
                }
            }
        }
    }
}
