import GRDB

/// A named volume Berth made: a directory under the state root (`volumes/<name>/_data`), or a host
/// directory for the local driver's bind form. It outlives its containers; `down --volumes`,
/// `volume rm` and `volume prune` remove it.
public struct VolumeRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "volume"

    /// The full name (`<project>_<name>`): the directory's name and other projects' `external:` name.
    public var name: String
    /// The project that declared it.
    public var project: String
    /// Labels as JSON (sorted keys).
    public var labels: String
    /// The host directory of a bind-form volume; nil for one under the state root.
    public var device: String?
    public var createdAt: String

    public init(name: String, project: String, labels: String = "{}", device: String? = nil, createdAt: String) {
        self.name = name
        self.project = project
        self.labels = labels
        self.device = device
        self.createdAt = createdAt
    }
}

extension StateStore {
    public func volumes() throws -> [VolumeRecord] {
        try read { db in try VolumeRecord.fetchAll(db, sql: "SELECT * FROM volume ORDER BY name") }
    }

    public func volume(named name: String) throws -> VolumeRecord? {
        try read { db in try VolumeRecord.fetchOne(db, sql: "SELECT * FROM volume WHERE name = ?", arguments: [name]) }
    }

    /// Records the volume unless it is recorded already (the first record stays: its creation time).
    public func recordVolume(_ record: VolumeRecord) throws {
        try write { db in
            if try VolumeRecord.filter(Column("name") == record.name).fetchCount(db) == 0 { try record.insert(db) }
        }
    }

    public func removeVolume(named name: String) throws {
        try write { db in _ = try VolumeRecord.filter(Column("name") == name).deleteAll(db) }
    }
}
