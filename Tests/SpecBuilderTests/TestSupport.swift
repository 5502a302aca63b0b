import Foundation
import Manifest
import OCI
import Testing

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
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
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
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
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

    static func image(user: String? = nil, env: [String]? = ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"],
                      entrypoint: [String]? = ["/docker-entrypoint.sh"], cmd: [String]? = ["nginx", "-g", "daemon off;"],
                      workingDir: String? = "/srv", labels: [String: String]? = nil,
                      stopSignal: String? = nil) -> ImageConfiguration {
        ImageConfiguration(architecture: "amd64", os: "linux",
                           config: .init(user: user, env: env, entrypoint: entrypoint, cmd: cmd,
                                         workingDir: workingDir, labels: labels, stopSignal: stopSignal),
                           rootfs: .init(diffIDs: []))
    }
}

/// Golden files: compared byte for byte; re-recorded only with BERTH_RECORD=1.
enum Golden {
    static var recording: Bool { ProcessInfo.processInfo.environment["BERTH_RECORD"] == "1" }

    static func sourceURL(_ name: String, file: String = #filePath) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Golden/\(name).json")
    }

    static func check(_ data: Data, name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        if recording {
            try data.write(to: sourceURL(name), options: .atomic)
            return
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Golden"),
              let expected = try? Data(contentsOf: url)
        else {
            Issue.record("missing golden file Golden/\(name).json; run with BERTH_RECORD=1 to record it",
                         sourceLocation: sourceLocation)
            return
        }
        #expect(String(decoding: data, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
                "config.json differs from Golden/\(name).json (re-record with BERTH_RECORD=1 if intended)",
                sourceLocation: sourceLocation)
    }
}
