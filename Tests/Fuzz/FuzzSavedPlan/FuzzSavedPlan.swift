import Foundation
import Planner

/// Saved-plan JSON → `SavedPlan.load(path:)`, through one file per process under /dev/shm (the loader reads files).
/// Invariants: it returns a plan of the current format or throws `PlanError` `plan-file-invalid` (never traps);
/// a loaded plan encodes, loads again and encodes to the same bytes (what `apply FILE` reads is what was written).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSavedPlan(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Data(UnsafeBufferPointer(start: start, count: count))
    guard let saved = load(input) else { return 0 }
    if saved.format != SavedPlan.currentFormat { fail("loaded a plan of format \(saved.format)", input) }
    guard let encoded = try? saved.encoded() else { fail("a loaded plan does not encode", input) }
    guard let reloaded = load(encoded) else { fail("an encoded plan does not load", input) }
    if (try? reloaded.encoded()) != encoded { fail("encoding is not stable", input) }
    return 0
}

private let path: String = {
    atexit { unlink(scratchFile()) }
    return scratchFile()
}()

private func scratchFile() -> String { "/dev/shm/berth-fuzz-savedplan-\(getpid()).json" }

private func load(_ data: Data) -> SavedPlan? {
    guard FileManager.default.createFile(atPath: path, contents: data) else {
        FileHandle.standardError.write(Data("cannot write \(path)\n".utf8))
        exit(2)
    }
    do {
        return try SavedPlan.load(path: path)
    } catch let error as PlanError where error.code == "plan-file-invalid" && !error.diagnostics.isEmpty {
        return nil
    } catch {
        fail("threw \(error) instead of plan-file-invalid", data)
    }
}

private func fail(_ what: String, _ input: Data) -> Never {
    FileHandle.standardError.write(Data("FuzzSavedPlan invariant violated: \(what)\n".utf8))
    abort()
}
