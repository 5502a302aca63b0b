import BerthSystem
import OCI
import CLinuxShims
import Foundation
import Manifest
import Runtime
import Snapshots
import State
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The small supervisor each container gets: the `berth-monitor` executable (or `berth` in its hidden
/// monitor mode when that is not installed beside it), in its own session,
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
                if record.status.isActive {
                    record.status = .failed
                    record.failure = message
                    record.finishedAt = Timestamp.now()
                }
            }
            reportStart()
            reportEnd()
            return 1
        }
    }

    private static func supervise(_ request: MonitorRequest) throws {
        let root = request.root
        let (project, name) = (request.project, request.name)
        let directory = try root.containerDirectory(project: project, name: name)
        let files = RunFiles(pidFile: directory + "/container.pid", runtimeLog: directory + "/runtime.log")
        let driver = RuntimeDriver(binary: request.runtimeBinary, root: root.runtimeRoot, logFile: files.runtimeLog)
        let log = try LogWriter(path: try root.logFile(project: project, name: name))

        // A process restore: the CRIU images the executor extracted replace a fresh start (first run only).
        let criuImages = directory + "/criu"
        let restoring = access(criuImages, F_OK) == 0
        // A restore is never gated (the executor does not ask for it); a gate given anyway is let go.
        var gate = restoring ? nil : request.gate
        if restoring, let unused = request.gate { close(unused) }
        var arguments: [String]
        if restoring {
            arguments = driver.restoreArguments(
                id: request.runtimeID,
                .init(
                    bundle: request.bundle, imagePath: criuImages, workPath: directory + "/criu-work",
                    pidFile: files.pidFile, detach: false, noPivot: request.noPivot))
        } else if gate != nil {
            // Gated: the runtime creates the container now and starts it when the gate opens (`runOnce`).
            arguments = driver.createArguments(
                id: request.runtimeID, .init(bundle: request.bundle, pidFile: files.pidFile, noPivot: request.noPivot))
        } else {
            arguments = driver.runArguments(
                id: request.runtimeID, .init(bundle: request.bundle, pidFile: files.pidFile, noPivot: request.noPivot))
        }
        var state: StateStore? = preparedState.withLock { store in
            store.flatMap { $0.path == root.database ? $0 : nil }
        }
        var backoff = RestartBackoff()
        while true {
            let run = try runOnce(request, arguments: arguments, files: files, log: log, gate: gate) {
                // Opened while the runtime sets the container up.
                if let state { return state }
                let opened = try StateStore(path: root.database)
                state = opened
                return opened
            }
            gate = nil  // a restart runs the container in the foreground of the runtime, as usual
            let store = try state ?? StateStore(path: root.database)
            state = store
            let finished = Timestamp.now()
            let delay = backoff.next(uptime: run.uptime)
            // One transaction decides and records: the restart policy is read from the record it changes.
            let recorded = try store.update(project: project, name: name) { record in
                record.pid = nil
                record.finishedAt = finished
                // `stop` ends the policy.
                guard record.status != .stopped else {
                    record.exitCode = run.status
                    return
                }
                if let failure = run.failure {
                    // A runtime that refused to start the container would refuse again.
                    record.status = .failed
                    record.failure = failure
                } else {
                    let policy = record.restartPolicy.flatMap(RestartPolicy.init(parsing:)) ?? .no
                    record.status = policy.restartsAfter(exitCode: run.status, restarts: record.restartCount) ? .restarting : .exited
                    record.exitCode = run.status
                }
            }
            let again = recorded?.status == .restarting
            reportStart()  // a runtime that failed before the container started: the failure is recorded now
            guard again, waitToRestart(delay, store: store, request: request) else { break }
            // `runc run` removed the ended container; a leftover (a runtime killed mid-way) would block the id.
            if (try? driver.state(id: request.runtimeID)) != nil { try? driver.delete(id: request.runtimeID, force: true) }
            arguments = driver.runArguments(
                id: request.runtimeID, .init(bundle: request.bundle, pidFile: files.pidFile, noPivot: request.noPivot))
            _ = try store.update(project: project, name: name) { $0.restartCount += 1 }
        }
        reportEnd()  // the end is recorded: a follower need not wait for the unmount below
        if !request.snapshotKey.isEmpty, let kind = SnapshotterKind(rawValue: request.snapshotter) {
            let snapshots = try SnapshotStore(root: root.snapshots, snapshotter: kind)
            try snapshots.release(key: request.snapshotKey, rootfs: request.bundle + "/rootfs", removeData: false)
        }
    }

    struct RunFiles {
        var pidFile: String
        var runtimeLog: String
    }

    /// How one run of the container ended.
    struct RunResult {
        /// The runtime's exit status: the container's exit code, or 128 + signal.
        var status: Int32
        /// Why the runtime never started the container; nil when it ran.
        var failure: String?
        /// Seconds the container ran.
        var uptime: Double
    }

    /// Runs the container once in the foreground of the runtime, its output to the log, health probes
    /// beside it when it has a check; records it running once the runtime reports its pid.
    ///
    /// With a `gate`, `arguments` create the container (`runc create`, its process's stdio passed through to
    /// the pipes read here) and the container starts (`runc start`) only when the gate opens; end of file on the
    /// gate deletes it instead. The created process, orphaned when `runc create` exits, is this subreaper's
    /// child, so its end is waited for here, and the runtime's record of it deleted after (`runc run` does
    /// that itself).
    private static func runOnce(
        _ request: MonitorRequest, arguments: [String], files: RunFiles, log: LogWriter, gate: Int32?,
        openState: () throws -> StateStore
    ) throws -> RunResult {
        unlink(files.pidFile)
        unlink(files.runtimeLog)
        try VolumeSubpaths.check(bundle: request.bundle, root: request.root)
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
        let state = try openState()
        let driver = RuntimeDriver(binary: request.runtimeBinary, root: request.root.runtimeRoot, logFile: files.runtimeLog)

        var containerPID: Int32?
        if let gate {
            switch startCreated(child, gate: gate, pidFile: files.pidFile, runtimeLog: files.runtimeLog, driver: driver, id: request.runtimeID) {
            case .success(let pid):
                containerPID = pid
            case .failure(let ended):
                readerDone.wait()
                log.flush()
                return RunResult(status: ended.status, failure: ended.reason, uptime: 0)
            }
        } else {
            containerPID = FileArrival.wait(for: files.pidFile, while: child, read: SmallFile.integer)
        }
        let started = Date()
        var prober: HealthProber?
        if let pid = containerPID {
            let startedAt = Timestamp.now()
            let record = try state.update(project: request.project, name: request.name) { record in
                guard record.status != .stopped else { return }
                record.status = .running
                record.pid = pid
                record.startedAt = startedAt
                record.health = record.healthcheck == nil ? nil : HealthStatus.starting.rawValue
            }
            reportStart()
            // `stop` came between the decision to restart and this run: it ends here.
            if record?.status == .stopped {
                try? driver.kill(id: request.runtimeID, signal: "KILL", all: true)
            } else if let text = record?.healthcheck, let check = try? JSONDecoder().decode(HealthCheck.self, from: Data(text.utf8)) {
                prober = HealthProber(check: check, request: request, state: state, restartOnUnhealthy: record?.restartOnUnhealthy ?? false)
                prober?.start()
            }
        }
        let status = gate == nil ? child.wait() : waitForAdopted(containerPID ?? -1)
        prober?.stop()
        readerDone.wait()
        log.flush()
        if gate != nil { try? driver.delete(id: request.runtimeID, force: true) }
        let failure = containerPID == nil ? runtimeFailure(runtimeLog: files.runtimeLog, status: status) : nil
        return RunResult(status: status, failure: failure, uptime: Date().timeIntervalSince(started))
    }

    /// Why a created container did not start: the status and text its run ends with.
    struct NotStarted: Error {
        var status: Int32
        var reason: String
    }

    /// A gated run's start: waits for `runc create` (`child`) to end, then for the gate, then starts the
    /// container; its process's pid. When it does not start (the runtime refused to create it, the gate shut,
    /// `runc start` failed) a created container is deleted and its process reaped first.
    private static func startCreated(
        _ child: ChildProcess, gate: Int32, pidFile: String, runtimeLog: String, driver: RuntimeDriver, id: String
    ) -> Result<Int32, NotStarted> {
        defer { close(gate) }
        let created = child.wait()
        guard created == 0, let pid = SmallFile.integer(pidFile) else {
            return .failure(NotStarted(status: created, reason: runtimeFailure(runtimeLog: runtimeLog, status: created)))
        }
        var byte: UInt8 = 0
        var count: Int
        repeat { count = read(gate, &byte, 1) } while count < 0 && errno == EINTR
        var reason = "not started: the apply that created it stopped before its network was attached"
        if count == 1, byte == MonitorRequest.startByte {
            do {
                try driver.start(id: id)
                return .success(pid)
            } catch {
                reason = "\(error)"
            }
        }
        try? driver.delete(id: id, force: true)
        _ = waitForAdopted(pid)
        return .failure(NotStarted(status: 255, reason: reason))
    }

    /// Waits for `pid`, a process this subreaper adopted (a created container's, orphaned by `runc create`):
    /// its exit status as `runc run` reports it (`Command.Child.exitStatus`).
    static func waitForAdopted(_ pid: Int32) -> Int32 {
        guard pid > 0 else { return 255 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                // Not this process's child after all (no subreaper): see it end; its status is unknown.
                let watch = EndWatch()
                watch.add(pid)
                while watch.hasLiveProcesses { watch.wait(milliseconds: 1000) }
                return 255
            }
        }
        return ChildProcess.exitStatus(waitStatus: status)
    }

    /// Sleeps `delay` before a restart, looking at the record every 50 ms: false when the container was
    /// stopped (or removed) meanwhile, so the restart is not made.
    private static func waitToRestart(_ delay: Double, store: StateStore, request: MonitorRequest) -> Bool {
        let deadline = Date().addingTimeInterval(delay)
        repeat {
            guard let record = try? store.container(project: request.project, name: request.name), record.status == .restarting else {
                return false
            }
            let left = deadline.timeIntervalSinceNow
            if left > 0 { usleep(useconds_t(min(left, 0.05) * 1_000_000)) }
        } while Date() < deadline
        return (try? store.container(project: request.project, name: request.name))?.status == .restarting
    }

    /// Copies the runtime's output pipes into the log until both end, polling them on the calling thread;
    /// closes them.
    private static func copyToLog(_ pipes: [(Int32, LogRecord.Stream)], _ log: LogWriter) {
        PipeDrain.drain(pipes.map(\.0)) { index, chunk in log.append(Data(chunk), stream: pipes[index].1) }
    }

    /// Tells the launcher (through standard output, a pipe) that the start is recorded: one byte, once.
    private static func reportStart() {
        guard
            startReported.withLock({ reported in
                defer { reported = true }
                return !reported
            })
        else { return }
        var byte: UInt8 = 0x0A
        _ = write(STDOUT_FILENO, &byte, 1)
    }

    /// Tells the launcher that the container's end is recorded (after its last run, restarts included): standard
    /// output, the pipe, is closed (pointed at /dev/null), which a follower sees at once.
    private static func reportEnd() {
        MonitorInvocation.pointAtNull(STDOUT_FILENO, O_WRONLY)
    }

    private static let startReported = Mutex(false)

    /// The state database a warm monitor opened while it waited for its request.
    private static let preparedState = Mutex<StateStore?>(nil)

    /// A warm monitor's wait for its request, put to use: the state database of `root` is opened (SQLite's and
    /// GRDB's set-up, a millisecond this monitor then does not spend while the runtime starts the container)
    /// and readied for writes (`StateStore.prepareForWrites`). Only an existing database is opened.
    public static func prepareState(_ root: StateRoot) {
        guard FileManager.default.fileExists(atPath: root.database), let store = try? StateStore(path: root.database) else { return }
        store.prepareForWrites()
        preparedState.withLock { $0 = store }
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
