import BerthSystem
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Berth's SQLite state (`<state root>/state.db`): projects and containers, with a revision number
/// that moves on every change. Every change is one transaction.
public final class StateStore: Sendable {
    private let queue: DatabaseQueue
    public let path: String

    /// Opens (creating when missing, mode 0600) and migrates the database at `path`. `readOnly` opens an
    /// existing database without writing to it (a read-only state root), or an empty one when it is missing.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        if readOnly {
            do {
                var configuration = Configuration()
                configuration.readonly = true
                configuration.busyMode = .timeout(10)
                // Foreign keys act only on writes. Left on, GRDB would set them with a statement of its own at
                // every open, the first SQL a read-only command (`exec`, `ps`) would otherwise not run at all.
                configuration.foreignKeysEnabled = false
                if FileManager.default.fileExists(atPath: path) {
                    queue = try Self.openReadOnly(path: path, configuration: configuration)
                } else {
                    queue = try DatabaseQueue()
                    try Self.migrator.migrate(queue)
                }
            } catch {
                throw StateError("state-open-failed", "cannot open the state database \(path)", underlying: error)
            }
            return
        }
        // Created by Berth with mode 0600 before SQLite sees it: it records environment-bearing definitions.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd >= 0 { close(fd) }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            // WAL with synchronous=NORMAL: a commit is atomic and survives any crash of Berth without an
            // fsync per transaction; a power loss may drop the last commits, never corrupt the database
            // (and after a reboot no container runs: the next command reconciles with the runtime).
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            // The common case, a database already in WAL mode at the current schema, is one read. A new database
            // is set up under a lock, checked again there: two processes opening it together (an apply and its
            // warm monitor) would otherwise both switch its journal and create its tables, and one would fail.
            let ready = { [queue] in
                try queue.read { db in
                    try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal" && Self.migrator.hasCompletedMigrations(db)
                }
            }
            // Outside the lock the check may also fail halfway through another process's set-up (a table it
            // has just created): that too is "not ready".
            if (try? ready()) != true {
                let lock = try FileLock(path: path + "-setup.lock")
                defer { lock.unlock() }
                try queue.inDatabase { db in db.clearSchemaCache() }  // it may predate the other process's tables
                if try !ready() {
                    try queue.writeWithoutTransaction { db in
                        if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                            try db.execute(sql: "PRAGMA journal_mode = WAL")
                        }
                    }
                    try Self.migrator.migrate(queue)
                }
            }
        } catch {
            var info = statvfs()
            let directory = (path as NSString).deletingLastPathComponent
            if statvfs(directory, &info) == 0, info.f_flag & UInt(ST_RDONLY) != 0 {
                throw StateError(
                    "state-read-only",
                    "cannot open the state database \(path) for writing: \(directory) is on a Read-only file system "
                        + "(`ps` and `image ls` still work)")
            }
            throw StateError(
                "state-open-failed",
                "cannot open the state database \(path) (if it is damaged, `berth repair` moves it aside)",
                underlying: error)
        }
    }

    /// Opens `path` read-only. A database in WAL mode cannot be opened where SQLite may not create its
    /// `-shm` file (a read-only file system): then a private copy (database and WAL) is read instead.
    private static func openReadOnly(path: String, configuration: Configuration) throws -> DatabaseQueue {
        func open(_ file: String) throws -> DatabaseQueue {
            let queue = try DatabaseQueue(path: file, configuration: configuration)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'revision'") }
            return queue
        }
        do {
            return try open(path)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-state-\(getpid())").path
            try DirectoryMaker.create(directory, mode: 0o700)
            let copy = directory + "/state.db"
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
                try? FileManager.default.removeItem(atPath: copy + suffix)
                try FileManager.default.copyItem(atPath: path + suffix, toPath: copy + suffix)
            }
            var writable = configuration
            writable.readonly = false
            let queue = try DatabaseQueue(path: copy, configuration: writable)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'revision'") }
            return queue
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('revision', 0)")
            try db.create(table: "project") { t in
                t.primaryKey("name", .text)
                t.column("manifestPath", .text).notNull()
            }
            try db.create(table: "container") { t in
                t.column("project", .text).notNull().references("project", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("runtimeID", .text).notNull().unique()
                t.column("configHash", .text).notNull()
                t.column("configJSON", .text)
                t.column("specDigest", .text)
                t.column("imageReference", .text)
                t.column("imageDigest", .text)
                t.column("snapshotter", .text).notNull()
                t.column("snapshotKey", .text).notNull()
                t.column("bundlePath", .text).notNull()
                t.column("runtimeBinary", .text).notNull()
                t.column("noPivot", .boolean).notNull()
                t.column("status", .text).notNull()
                t.column("pid", .integer)
                t.column("monitorPID", .integer)
                t.column("exitCode", .integer)
                t.column("failure", .text)
                t.column("createdAt", .text).notNull()
                t.column("startedAt", .text)
                t.column("finishedAt", .text)
                t.primaryKey(["project", "name"])
            }
        }
        migrator.registerMigration("v2-networks") { db in
            try db.create(table: "network") { t in
                t.column("project", .text).notNull()
                t.column("name", .text).notNull()
                t.column("subnet", .text).notNull()
                t.column("gateway", .text).notNull()
                t.column("bridge", .text).notNull()
                t.column("isInternal", .boolean).notNull()
                t.primaryKey(["project", "name"])
            }
            // No foreign key to `container`: a membership outlives a crashed create, so that the next apply or
            // down finds and releases it.
            try db.create(table: "attachment") { t in
                t.column("project", .text).notNull()
                t.column("container", .text).notNull()
                t.column("networkProject", .text).notNull()
                t.column("network", .text).notNull()
                t.column("interface", .text).notNull()
                t.column("aliases", .text).notNull()
                t.column("requestedAddress", .text)
                t.column("ports", .text).notNull()
                t.column("hostname", .text)
                t.column("extraHosts", .text).notNull()
                t.column("address", .text)
                t.primaryKey(["project", "container", "networkProject", "network"])
            }
        }
        migrator.registerMigration("v3-services") { db in
            try db.alter(table: "container") { t in
                t.add(column: "restartPolicy", .text)
                t.add(column: "restartOnUnhealthy", .boolean).notNull().defaults(to: false)
                t.add(column: "healthcheck", .text)
                t.add(column: "stopSignal", .text)
                t.add(column: "stopGracePeriod", .double)
                t.add(column: "restartCount", .integer).notNull().defaults(to: 0)
                t.add(column: "health", .text)
                t.add(column: "healthLog", .text)
            }
        }
        migrator.registerMigration("v4-volumes") { db in
            try db.create(table: "volume") { t in
                t.primaryKey("name", .text)
                t.column("project", .text).notNull()
                t.column("labels", .text).notNull()
                t.column("device", .text)
                t.column("createdAt", .text).notNull()
            }
            try db.alter(table: "container") { t in
                t.add(column: "volumes", .text)
            }
        }
        return migrator
    }

    /// The manifest a project was last applied from, nil when the project is not recorded.
    public func manifestPath(project: String) throws -> String? {
        try read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT manifestPath FROM project WHERE name = ?"), arguments: [project]) }
    }

    /// The state revision: it moves on every write.
    public func revision() throws -> Int {
        try read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'revision'")) ?? 0 }
    }

    public func containers(project: String) throws -> [ContainerRecord] {
        try read { db in
            try ContainerRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM container WHERE project = ? ORDER BY name"), arguments: [project])
        }
    }

    public func allContainers() throws -> [ContainerRecord] {
        try read { db in try ContainerRecord.fetchAll(db, sql: "SELECT * FROM container ORDER BY project, name") }
    }

    /// A write transaction that changes nothing (the revision rewritten as it is), made by a warm monitor while
    /// `apply` plans: SQLite syncs a new WAL's header, and its directory, at the first commit after the WAL was
    /// emptied (each command that was the database's last connection empties it), and this takes that sync off
    /// `apply`'s start path. Errors are ignored: the first real write then pays it, as before.
    public func prepareForWrites() {
        _ = try? queue.write { db in try db.execute(sql: "UPDATE meta SET value = value WHERE key = 'revision'") }
    }

    /// One container's record; its statement is compiled once per connection (GRDB's authorizer runs at every
    /// compilation, and followers and monitors ask for a record many times).
    static let containerByName = "SELECT * FROM container WHERE project = ? AND name = ?"

    public func container(project: String, name: String) throws -> ContainerRecord? {
        try read { db in
            try ContainerRecord.fetchOne(db.cachedStatement(sql: Self.containerByName), arguments: [project, name])
        }
    }

    /// Inserts or replaces a container record (and its project) in one transaction.
    public func save(_ record: ContainerRecord, manifestPath: String) throws {
        try write { db in
            try db.cachedStatement(
                sql: "INSERT INTO project (name, manifestPath) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET manifestPath = excluded.manifestPath"
            ).execute(arguments: [record.project, manifestPath])
            // One statement (an UPDATE tried first, as `save` does, is a second compilation for a new record).
            try record.insert(db, onConflict: .replace)
        }
    }

    /// Changes one container record in one transaction; returns nil when it does not exist.
    @discardableResult
    public func update(
        project: String, name: String, _ change: @Sendable (inout ContainerRecord) -> Void
    ) throws
        -> ContainerRecord?
    {
        try write { db in
            guard
                var record = try ContainerRecord.fetchOne(db.cachedStatement(sql: Self.containerByName), arguments: [project, name])
            else { return nil }
            change(&record)
            try record.update(db)
            return record
        }
    }

    public func remove(project: String, name: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM container WHERE project = ? AND name = ?", arguments: [project, name])
            let left = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM container WHERE project = ?", arguments: [project]) ?? 0
            if left == 0 { try db.execute(sql: "DELETE FROM project WHERE name = ?", arguments: [project]) }
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch {
            throw StateError("state-read-failed", "cannot read the state database \(path)", underlying: error)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.write { db in
                let result = try body(db)
                try db.cachedStatement(sql: "UPDATE meta SET value = value + 1 WHERE key = 'revision'").execute()
                return result
            }
        } catch {
            throw StateError("state-write-failed", "cannot write the state database \(path)", underlying: error)
        }
    }
}
