import Foundation

/// An image's /etc/passwd and /etc/group, to turn `user` names into the numeric ids Kubernetes needs.
public struct ImageUserTables: Hashable, Sendable {
    struct Entry: Hashable, Sendable {
        var name: String
        var id: Int64
        /// The primary gid (passwd entries only).
        var gid: Int64?
    }

    var users: [Entry]?
    var groups: [Entry]?

    /// The files' text; nil for a file the image does not have.
    public init(passwd: String?, group: String?) {
        users = passwd.map { Self.parse($0) { $0.count >= 4 ? ($0[0], $0[2], $0[3]) : nil } }
        groups = group.map { Self.parse($0) { $0.count >= 3 ? ($0[0], $0[2], nil) : nil } }
    }

    /// Resolves `name`, `uid`, `name:group`, `uid:group`, `name:gid` and `uid:gid` as containerd does:
    /// a name takes its passwd uid and primary gid; a bare numeric uid keeps the runtime's gid lookup.
    public func resolve(_ user: String) throws -> NumericUser {
        let parts = user.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), !parts.contains(where: \.isEmpty) else {
            throw KubernetesExportError("invalid-user", "invalid user \"\(user)\": expected user[:group]")
        }
        var uid: Int64
        var gid: Int64?
        if let n = Self.number(parts[0]) {
            uid = n
        } else {
            guard let entry = users?.first(where: { $0.name == parts[0] }) else {
                throw unknown("user", parts[0], in: "/etc/passwd", missing: users == nil, value: user)
            }
            uid = entry.id
            gid = entry.gid
        }
        if parts.count == 2 {
            if let n = Self.number(parts[1]) {
                gid = n
            } else {
                guard let entry = groups?.first(where: { $0.name == parts[1] }) else {
                    throw unknown("group", parts[1], in: "/etc/group", missing: groups == nil, value: user)
                }
                gid = entry.id
            }
        }
        return NumericUser(uid: uid, gid: gid)
    }

    private func unknown(_ kind: String, _ name: String, in file: String, missing: Bool, value: String) -> KubernetesExportError {
        KubernetesExportError(
            "unknown-\(kind)",
            missing
                ? "\(kind) \(name) of \"\(value)\" cannot be resolved: the image has no \(file)"
                : "no \(kind) \(name) in the image's \(file) (for \"\(value)\")")
    }

    private static func number(_ text: String) -> Int64? {
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(text), n <= Int64(Int32.max) else { return nil }
        return n
    }

    /// `name:x:id[:gid…]` lines; blank, `#` and malformed lines are skipped.
    private static func parse(_ text: String, _ fields: ([String]) -> (String, String, String?)?) -> [Entry] {
        text.split(whereSeparator: \.isNewline).compactMap { raw -> Entry? in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
            let parts = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard let (name, id, gid) = fields(parts), let number = Int64(id) else { return nil }
            return Entry(name: name, id: number, gid: gid.flatMap { Int64($0) })
        }
    }
}
