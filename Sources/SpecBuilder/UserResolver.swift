import Diagnostics

/// Resolves a user string against the rootfs as containerd's `WithUser` and `WithAdditionalGIDs` do.
struct UserResolver {
    let database: UserDatabase
    /// Where the value came from, for error messages.
    let location: SourceLocation?

    /// Ids are limited to 0...Int32.max, as runc requires (and containerd checks).
    static let maxID = Int(Int32.max)

    enum ID: Equatable {
        case number(UInt32)
        case name(String)
    }

    /// The uid and gid for `value` (`name`, `uid`, `uid:gid`, `name:group`, `uid:group`, `name:gid`).
    /// A numeric uid with no passwd entry (or no passwd) gets gid 0; an unknown name is an error.
    func resolve(_ value: String) throws -> (uid: UInt32, gid: UInt32) {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            switch try parse(parts[0], kind: "uid", value: value) {
            case .number(let uid):
                let entry = try database.passwd()?.first { $0.uid == Int(uid) }
                return (uid, entry.map { UInt32(clamping: $0.gid) } ?? 0)
            case .name(let name):
                let entry = try user(named: name, value: value)
                return (UInt32(clamping: entry.uid), UInt32(clamping: entry.gid))
            }
        case 2:
            let userID = try parse(parts[0], kind: "uid", value: value)
            let groupID = try parse(parts[1], kind: "gid", value: value)
            let uid: UInt32
            switch userID {
            case .number(let n): uid = n
            case .name(let name): uid = UInt32(clamping: try user(named: name, value: value).uid)
            }
            let gid: UInt32
            switch groupID {
            case .number(let n): gid = n
            case .name(let name): gid = UInt32(clamping: try group(named: name, value: value).gid)
            }
            return (uid, gid)
        default:
            throw SpecError.invalidUser(value, "more than one \":\"", at: location)
        }
    }

    /// The supplementary groups of `userOrUID` (a uid is first mapped to its passwd name): every group
    /// whose member list names the user, except the group named like the user, with `gid` put first.
    /// A value such as `name:group` matches no member list, exactly as in containerd.
    func additionalGids(for userOrUID: String, gid: UInt32) throws -> [UInt32] {
        var gids: [UInt32] = []
        if let username = try supplementaryLookupName(userOrUID), let groups = try database.groups() {
            gids = groups.filter { $0.name != username && $0.members.contains(username) }
                .map { UInt32(clamping: $0.gid) }
        }
        return gids.contains(gid) ? gids : [gid] + gids
    }

    private func supplementaryLookupName(_ userOrUID: String) throws -> String? {
        guard let uid = Int(userOrUID) else { return userOrUID }
        return try database.passwd()?.first { $0.uid == uid }?.name
    }

    private func parse(_ part: String, kind: String, value: String) throws -> ID {
        if part.isEmpty {
            throw SpecError.invalidUser(value, "empty \(kind == "uid" ? "user" : "group")", at: location)
        }
        let digits = part.hasPrefix("+") || part.hasPrefix("-") ? part.dropFirst() : Substring(part)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .name(part) }
        guard let n = Int(part), n >= 0, n <= Self.maxID else {
            throw SpecError.invalidUser(value, "\(kind) out of range 0...\(Self.maxID)", at: location)
        }
        return .number(UInt32(n))
    }

    private func user(named name: String, value: String) throws -> PasswdEntry {
        guard let entries = try database.passwd() else {
            throw SpecError.unknownUser(name, value: value, file: database.passwdDisplayPath, missing: true, at: location)
        }
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw SpecError.unknownUser(name, value: value, file: database.passwdDisplayPath, missing: false, at: location)
        }
        return entry
    }

    private func group(named name: String, value: String) throws -> GroupEntry {
        guard let entries = try database.groups() else {
            throw SpecError.unknownGroup(name, value: value, file: database.groupDisplayPath, missing: true, at: location)
        }
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw SpecError.unknownGroup(name, value: value, file: database.groupDisplayPath, missing: false, at: location)
        }
        return entry
    }
}
