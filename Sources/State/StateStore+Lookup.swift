import GRDB

extension StateStore {
    /// One container's record by plain SQL: the answer of `container(project:name:)` without GRDB's query
    /// builder, which reads the table's schema and builds the SQL first (half of `berth exec`'s own time).
    public func containerByKey(project: String, name: String) throws -> ContainerRecord? {
        try read { db in
            try ContainerRecord.fetchOne(db, sql: "SELECT * FROM container WHERE project = ? AND name = ?", arguments: [project, name])
        }
    }
}
