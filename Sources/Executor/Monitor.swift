import CLinuxShims
import Foundation
import Runtime
import Snapshots
import State
#if canImport(Glibc)
import Glibc
#endif

/// The small supervisor each container gets: the `berth` binary in a hidden mode, in its own session,
/// a child subreaper. It runs the container in the foreground of the runtime, owns its stdio (to the log),
/// records start, exit code and times in the state, and unmounts the rootfs when the container ends.
public enum Monitor {
    /// Runs the monitor for one container until the container ends; returns the monitor's exit status.
    public static func run(root: StateRoot, project: String, name: String) -> Int32 {
        _ = setsid()
        _ = berth_set_child_subreaper()
        signal(SIGPIPE, SIG_IGN)
        do {
            try supervise(root: root, project: project, name: name)
            return 0
        } catch {
            let state = try? StateStore(path: root.database)
            let message = "\(error)"
            _ = try? state?.update(project: project, name: name) { record in
                if record.status == .created || record.status == .running {
                    record.status = .failed
                    record.failure = message
                    record.finishedAt = Timestamp.now()
                }
            }
            return 1
        }
    }

    private static func supervise(root: StateRoot, project: String, name: String) throws {
        let state = try StateStore(path: root.database)
        guard let record = try state.container(project: project, name: name) else {
            throw ExecutorError(code: "monitor-no-record", message: "no container \(name) in project \(project)")
        }
        let directory = root.containerDirectory(project: project, name: name)
        let pidFile = directory + "/container.pid"
        let runtimeLog = directory + "/runtime.log"
        unlink(pidFile)
        unlink(runtimeLog)
        let driver = RuntimeDriver(binary: record.runtimeBinary, root: root.runtimeRoot, logFile: runtimeLog)
        let log = try LogWriter(path: root.logFile(project: project, name: name))

        let child = Foundation.Process()
        child.executableURL = URL(fileURLWithPath: record.runtimeBinary)
        // A process restore: the CRIU images the executor extracted replace a fresh start.
        let criuImages = directory + "/criu"
        if FileManager.default.fileExists(atPath: criuImages) {
            child.arguments = driver.restoreArguments(
                id: record.runtimeID,
                .init(bundle: record.bundlePath, imagePath: criuImages, workPath: directory + "/criu-work",
                      pidFile: pidFile, detach: false, noPivot: record.noPivot))
        } else {
            child.arguments = driver.runArguments(
                id: record.runtimeID,
                .init(bundle: record.bundlePath, pidFile: pidFile, noPivot: record.noPivot))
        }
        child.standardInput = FileHandle.nullDevice
        let out = Pipe()
        let err = Pipe()
        child.standardOutput = out
        child.standardError = err
        let readers = DispatchGroup()
        for (pipe, stream) in [(out, LogRecord.Stream.stdout), (err, .stderr)] {
            readers.enter()
            let handle = pipe.fileHandleForReading
            DispatchQueue.global().async {
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    log.append(chunk, stream: stream)
                }
                readers.leave()
            }
        }
        try child.run()
        let monitorPID = getpid()
        _ = try state.update(project: project, name: name) { $0.monitorPID = monitorPID }

        var containerPID: Int32?
        while child.isRunning, containerPID == nil {
            containerPID = readPID(pidFile)
            if containerPID == nil { usleep(1_000) }
        }
        if containerPID == nil { containerPID = readPID(pidFile) }
        if let pid = containerPID {
            let started = Timestamp.now()
            _ = try state.update(project: project, name: name) { record in
                record.status = .running
                record.pid = pid
                record.startedAt = started
            }
        }
        child.waitUntilExit()
        readers.wait()
        log.flush()
        let status = child.terminationReason == .uncaughtSignal ? 128 + child.terminationStatus : child.terminationStatus
        let finished = Timestamp.now()
        let failure = containerPID == nil ? runtimeFailure(runtimeLog: runtimeLog, status: status) : nil
        _ = try state.update(project: project, name: name) { record in
            guard record.status != .stopped else {
                record.exitCode = status
                record.finishedAt = finished
                return
            }
            if let failure {
                record.status = .failed
                record.failure = failure
            } else {
                record.status = .exited
                record.exitCode = status
            }
            record.finishedAt = finished
        }
        if !record.snapshotKey.isEmpty, let kind = SnapshotterKind(rawValue: record.snapshotter) {
            let snapshots = try SnapshotStore(root: root.snapshots, snapshotter: kind)
            try snapshots.release(key: record.snapshotKey, rootfs: record.bundlePath + "/rootfs", removeData: false)
        }
    }

    private static func readPID(_ path: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The runtime's own last error message (from its JSON log), for a container that never started.
    static func runtimeFailure(runtimeLog: String, status: Int32) -> String {
        let text = (try? String(contentsOfFile: runtimeLog, encoding: .utf8)) ?? ""
        var message: String?
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let level = object["level"] as? String, level == "error" || level == "fatal",
                  let msg = object["msg"] as? String else { continue }
            message = msg
        }
        return message ?? "the runtime exited with status \(status) before the container started"
    }
}
