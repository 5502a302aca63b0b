import Foundation
import Manifest
import Testing
import TestSupport

/// A scratch directory under /tmp, removed by `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-k8s-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Loads manifest text as if it were `berth.yaml` in `directory`, with no environment variables.
func loadManifest(_ text: String, in directory: String) throws -> ProjectManifest {
    try ManifestLoader.load(text: text, path: "berth.yaml", directory: directory, environment: [:])
}

/// The repository's examples directory.
let examplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples").path

/// The export goldens in Golden/NAME.yaml (see `GoldenFile`).
enum Golden {
    static func check(_ text: String, name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        try GoldenFile.check(
            text, expected: Bundle.module.url(forResource: name, withExtension: "yaml", subdirectory: "Golden"),
            source: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).yaml"),
            label: "Golden/\(name).yaml", sourceLocation: sourceLocation)
    }
}

/// A program's exit status and output.
struct ProgramResult {
    var status: Int32
    var output: String
}

/// Runs `executable` with `arguments`, feeding `input`; stdout and stderr are read while it runs.
func runProgram(_ executable: String, _ arguments: [String], input: String = "") throws -> ProgramResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    let collected = OutputCollector()
    stdout.fileHandleForReading.readabilityHandler = { collected.append($0.availableData) }
    stderr.fileHandleForReading.readabilityHandler = { collected.append($0.availableData) }
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    process.waitUntilExit()
    stdout.fileHandleForReading.readabilityHandler = nil
    stderr.fileHandleForReading.readabilityHandler = nil
    collected.append(stdout.fileHandleForReading.readDataToEndOfFile())
    collected.append(stderr.fileHandleForReading.readDataToEndOfFile())
    return ProgramResult(status: process.terminationStatus, output: collected.text)
}

/// Output gathered from reader threads.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The Python virtual environment with kubernetes-validate (installed by `make test`).
enum KubeValidate {
    static let venv = ProcessInfo.processInfo.environment["BERTH_VENV"] ?? "/opt/berth-venv"
    static var validator: String { venv + "/bin/kubernetes-validate" }
    static var python: String { venv + "/bin/python3" }

    /// Fails the calling test (never skips) when the venv is missing: the export tests need the validator.
    static func require() throws {
        guard FileManager.default.isExecutableFile(atPath: validator), FileManager.default.isExecutableFile(atPath: python) else {
            throw Missing(validator: validator, venv: venv)
        }
    }

    /// The validator is not installed; the message says how to install it.
    struct Missing: Error, CustomStringConvertible {
        var validator: String
        var venv: String
        var description: String {
            """
            kubernetes-validate not found at \(validator): install it with \
            `python3 -m venv \(venv) && \(venv)/bin/pip install kubernetes-validate` (make test does this)
            """
        }
    }

    /// Validates every file with `--strict` against the newest Kubernetes version the tool knows.
    static func validate(files: [String]) throws -> ProgramResult {
        try runProgram(validator, ["--strict", "--quiet"] + files)
    }
}
