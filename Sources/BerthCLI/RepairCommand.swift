import ArgumentParser
import Executor
import Foundation
import State

/// `berth repair`: moves an unreadable state database aside so that Berth can work again.
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Move a corrupt state database aside (never deleting it) and show what still runs.",
        discussion:
            "Checks state.db with SQLite's integrity check. When it is damaged, it is renamed to state.db.corrupt-<UTC time> (with its -wal and -shm files) and a new database is started. Containers still running under the state root are then unrecorded: `berth ps` shows them, `berth down -p PROJECT` removes them and `berth apply` replaces them."
    )

    @OptionGroup(title: "State") var global: GlobalOptions

    func run() throws {
        let root = global.root
        guard let problem = StateStore.problem(at: root.database) else {
            print("state database \(root.database) is sound; nothing to repair")
            return
        }
        let moved = try StateStore.moveAside(path: root.database)
        print("state database \(root.database) was damaged (\(problem)); moved to \(moved)")
        let context = try Context(global)
        let left = try RuntimeInventory(root: context.root).containers()
        for entry in left {
            print(
                "unrecorded: \(entry.project)/\(entry.name) (\(entry.status)): `berth down -p \(entry.project)` removes it, `berth apply` replaces it"
            )
        }
    }
}
