import Foundation
import Manifest
import OCI
import Testing
import TestSupport

@testable import SpecBuilder

/// A directory under /tmp removed when the test is done with it.
final class TempDirectory {
    let path: String

    init(_ label: String = "spec") throws {
        let template = "/tmp/berth-\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let result = mkdtemp(&bytes) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: template])
        }
        path = String(cString: result)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` at `relative` (parents created) and returns the absolute path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    func mkdir(_ relative: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }

    func symlink(_ relative: String, to target: String) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
    }
}

/// The passwd and group files every golden case's rootfs has.
enum Fixtures {
    static let passwd = """
        root:x:0:0:root:/root:/bin/sh
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
        www:x:33:33:www:/var/www:/bin/sh
        app:x:1000:1000:App:/home/app:/bin/sh

        """
    static let group = """
        root:x:0:
        daemon:x:1:
        audio:x:29:www
        www:x:33:
        wheel:x:10:root,app
        staff:x:50:app,www
        app:x:1000:app

        """

    /// A rootfs directory with /etc/passwd and /etc/group.
    static func rootfs(in dir: TempDirectory) throws -> String {
        try dir.write("rootfs/etc/passwd", passwd)
        try dir.write("rootfs/etc/group", group)
        return dir.path + "/rootfs"
    }

    static func image(
        user: String? = nil, env: [String]? = ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"],
        entrypoint: [String]? = ["/docker-entrypoint.sh"], cmd: [String]? = ["nginx", "-g", "daemon off;"],
        workingDir: String? = "/srv", labels: [String: String]? = nil,
        stopSignal: String? = nil
    ) -> ImageConfiguration {
        ImageConfiguration(
            architecture: "amd64", os: "linux",
            config: .init(
                user: user, env: env, entrypoint: entrypoint, cmd: cmd,
                workingDir: workingDir, labels: labels, stopSignal: stopSignal),
            rootfs: .init(diffIDs: []))
    }
}

/// The generated specs in Golden/NAME.json (see `GoldenFile`).
enum Golden {
    static func check(_ data: Data, name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        try GoldenFile.check(
            String(decoding: data, as: UTF8.self),
            expected: Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Golden"),
            source: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).json"),
            label: "Golden/\(name).json", sourceLocation: sourceLocation)
    }
}
