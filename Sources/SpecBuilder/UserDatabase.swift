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
                ? fields[3].utf8.split(separator: UInt8(ascii: ",")).map { String(decoding: trimmed($0), as: UTF8.self) }.filter { !$0.isEmpty }
                : []
            return GroupEntry(name: fields[0], gid: gid, members: members)
        }
    }

    /// The fields of each line that is not blank or a comment, read as bytes: these files are ASCII in practice,
    /// and Foundation's character-set trimming cost more than the rest of a spec's user lookup.
    private static func lines(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        for raw in text.utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }) {
            let line = trimmed(raw)
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            rows.append(line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) })
        }
        return rows
    }

    /// Without leading and trailing spaces and tabs.
    private static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        var bytes = bytes
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        return bytes
    }
}
