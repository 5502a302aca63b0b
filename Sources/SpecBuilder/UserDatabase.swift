import Foundation

/// One /etc/passwd entry (only the fields the spec needs).
struct PasswdEntry: Hashable, Sendable {
    var name: String
    var uid: Int
    var gid: Int
}

/// One /etc/group entry.
struct GroupEntry: Hashable, Sendable {
    var name: String
    var gid: Int
    var members: [String]
}

/// The rootfs's /etc/passwd and /etc/group, read once each. A missing file reads as nil.
final class UserDatabase {
    static let passwdPath = "/etc/passwd"
    static let groupPath = "/etc/group"

    let rootfs: RootfsFile
    private var passwdCache: [PasswdEntry]??
    private var groupCache: [GroupEntry]??

    init(rootfsPath: String) {
        rootfs = RootfsFile(root: rootfsPath)
    }

    var passwdDisplayPath: String { rootfs.display(Self.passwdPath) }
    var groupDisplayPath: String { rootfs.display(Self.groupPath) }

    func passwd() throws -> [PasswdEntry]? {
        if let cached = passwdCache { return cached }
        let entries = try rootfs.read(Self.passwdPath).map { Self.parsePasswd(String(decoding: $0, as: UTF8.self)) }
        passwdCache = .some(entries)
        return entries
    }

    func groups() throws -> [GroupEntry]? {
        if let cached = groupCache { return cached }
        let entries = try rootfs.read(Self.groupPath).map { Self.parseGroup(String(decoding: $0, as: UTF8.self)) }
        groupCache = .some(entries)
        return entries
    }

    /// `name:password:uid:gid:gecos:home:shell`; blank, `#` and malformed lines are skipped.
    static func parsePasswd(_ text: String) -> [PasswdEntry] {
        lines(text).compactMap { fields in
            guard fields.count >= 4, let uid = Int(fields[2]), let gid = Int(fields[3]) else { return nil }
            return PasswdEntry(name: fields[0], uid: uid, gid: gid)
        }
    }

    /// `name:password:gid:member,member`; blank, `#` and malformed lines are skipped.
    static func parseGroup(_ text: String) -> [GroupEntry] {
        lines(text).compactMap { fields in
            guard fields.count >= 3, let gid = Int(fields[2]) else { return nil }
            let members =
                fields.count > 3
                ? fields[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                : []
            return GroupEntry(name: fields[0], gid: gid, members: members)
        }
    }

    private static func lines(_ text: String) -> [[String]] {
        text.split(whereSeparator: \.isNewline).compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { return nil }
            return line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
