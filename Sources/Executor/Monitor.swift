import BerthSystem
import OCI
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
    public static func run(_ request: MonitorRequest) -> Int32 {
        _ = setsid()
        _ = berth_set_child_subreaper()
        signal(SIGPIPE, SIG_IGN)
        // One malloc arena: a monitor lives as long as its container and allocates little; an arena per
        // thread would only add resident memory per container.
        _ = berth_malloc_single_arena()
        do {
            try supervise(request)
            return 0
        } catch {
            let state = try? StateStore(path: request.root.database)
            let message = "\(error)"
            _ = try? state?.update(project: request.project, name: request.name) { record in
                if record.status == .created || record.status == .running {
                    record.status = .failed
                    record.failure = message
                    record.finishedAt = Timestamp.now()
                }
            }
            reportStart()
            return 1
        }
    }

    private static func supervise(_ request: MonitorRequest) throws {
        let root = request.root
        let (project, name) = (request.project, request.name)
        let directory = try root.containerDirectory(project: project, name: name)
        let pidFile = directory + "/container.pid"
        let runtimeLog = directory + "/runtime.log"
        unlink(pidFile)
        unlink(runtimeLog)
        let driver = RuntimeDriver(binary: request.runtimeBinary, root: root.runtimeRoot, logFile: runtimeLog)
        let log = try LogWriter(path: try root.logFile(project: project, name: name))

        // A process restore: the CRIU images the executor extracted replace a fresh start.
        let criuImages = directory + "/criu"
        let arguments: [String]
        if FileManager.default.fileExists(atPath: criuImages) {
            arguments = driver.restoreArguments(
                id: request.runtimeID,
                .init(
                    bundle: request.bundle, imagePath: criuImages, workPath: directory + "/criu-work",
                    pidFile: pidFile, detach: false, noPivot: request.noPivot))
        } else {
            arguments = driver.runArguments(
                id: request.runtimeID, .init(bundle: request.bundle, pidFile: pidFile, noPivot: request.noPivot))
        }
        let child = try ChildProcess.start(request.runtimeBinary, arguments, captureOutput: true)
        // One thread reads both pipes (not a dispatch worker per pipe): a monitor stays small.
        let pipes = [(child.stdout, LogRecord.Stream.stdout), (child.stderr, .stderr)].compactMap { fd, stream in
            fd.map { ($0, stream) }
        }
        let readerDone = DispatchSemaphore(value: 0)
        let reader = Thread {
            copyToLog(pipes, log)
            readerDone.signal()
        }
        reader.stackSize = 256 * 1024
        reader.start()
        // Opened while the runtime sets the container up.
        let state = try StateStore(path: root.database)

        var containerPID: Int32?
        while containerPID == nil, !child.hasEnded() {
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
            reportStart()
        }
        let status = child.wait()
        readerDone.wait()
        log.flush()
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
        reportStart()  // a runtime that failed before the container started: the failure is recorded now
        if !request.snapshotKey.isEmpty, let kind = SnapshotterKind(rawValue: request.snapshotter) {
            let snapshots = try SnapshotStore(root: root.snapshots, snapshotter: kind)
            try snapshots.release(key: request.snapshotKey, rootfs: request.bundle + "/rootfs", removeData: false)
        }
    }

    /// Copies the runtime's output pipes into the log until both end, polling them on the calling thread;
    /// closes them.
    private static func copyToLog(_ pipes: [(Int32, LogRecord.Stream)], _ log: LogWriter) {
        PipeDrain.drain(pipes.map(\.0)) { index, chunk in log.append(Data(chunk), stream: pipes[index].1) }
    }

    /// Tells the launcher (through standard output, a pipe) that the start is recorded, once; standard
    /// output is /dev/null afterwards.
    private static func reportStart() {
        var byte: UInt8 = 0x0A
        _ = write(STDOUT_FILENO, &byte, 1)
        MonitorInvocation.pointAtNull(STDOUT_FILENO, O_WRONLY)
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
                let msg = object["msg"] as? String
            else { continue }
            message = msg
        }
        return message ?? "the runtime exited with status \(status) before the container started"
    }
}
