import Foundation
import State

/// A state root of its own in the temporary directory, with its database open.
struct ScratchState {
    let root: StateRoot
    let store: StateStore

    init(_ prefix: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        root = StateRoot(path: path)
        store = try StateStore(path: root.database)
    }
}
