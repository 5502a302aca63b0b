import GRDB

/// Networks and memberships: each change one transaction, and every change of addresses made together
/// with what depends on them (the members' /etc/hosts files), so the files never disagree with the state.
extension StateStore {
    public func networks() throws -> [NetworkRecord] {
        try read { db in try NetworkRecord.fetchAll(db, sql: "SELECT * FROM network ORDER BY project, name") }
    }

    public func networks(project: String) throws -> [NetworkRecord] {
        try read { db in try NetworkRecord.fetchAll(db, sql: "SELECT * FROM network WHERE project = ? ORDER BY name", arguments: [project]) }
    }

    public func saveNetwork(_ record: NetworkRecord) throws {
        try write { db in try record.save(db) }
    }

    public func removeNetwork(project: String, name: String) throws {
        try write { db in
            _ = try NetworkRecord.filter(Column("project") == project && Column("name") == name).deleteAll(db)
        }
    }

    /// Every membership recorded, of every project.
    public func attachments() throws -> [AttachmentRecord] {
        try read { db in
            try AttachmentRecord.fetchAll(db, sql: "SELECT * FROM attachment ORDER BY project, container, interface")
        }
    }

    public func attachments(project: String, container: String) throws -> [AttachmentRecord] {
        try read { db in
            try AttachmentRecord.fetchAll(
                db, sql: "SELECT * FROM attachment WHERE project = ? AND container = ? ORDER BY interface", arguments: [project, container])
        }
    }

    /// Replaces the memberships of one container (before its networks are attached), in one transaction.
    public func setAttachments(project: String, container: String, _ records: [AttachmentRecord]) throws {
        try write { db in
            _ = try AttachmentRecord.filter(Column("project") == project && Column("container") == container).deleteAll(db)
            for record in records { try record.insert(db) }
        }
    }

    /// Records the addresses a container got (nil: released) and, in the same transaction, calls `then`
    /// with every membership as it now is (to rewrite the members' hosts files); if `then` throws, nothing
    /// is recorded.
    public func recordAddresses(
        project: String, container: String, _ addresses: [String: String?],
        then: ([AttachmentRecord]) throws -> Void
    ) throws {
        try write { db in
            for (interface, address) in addresses {
                try db.execute(
                    sql: "UPDATE attachment SET address = ? WHERE project = ? AND container = ? AND interface = ?",
                    arguments: [address, project, container, interface])
            }
            try then(try AttachmentRecord.order(Column("project"), Column("container"), Column("interface")).fetchAll(db))
        }
    }

    /// Forgets a container's memberships and calls `then` with those that remain, in one transaction.
    public func removeAttachments(project: String, container: String, then: ([AttachmentRecord]) throws -> Void) throws {
        try write { db in
            _ = try AttachmentRecord.filter(Column("project") == project && Column("container") == container).deleteAll(db)
            try then(try AttachmentRecord.order(Column("project"), Column("container"), Column("interface")).fetchAll(db))
        }
    }
}
