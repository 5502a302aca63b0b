import OCI

/// The pieces of a container's process that `berth exec` resolves again for an extra process: the same
/// user lookup and env merge as the container's own, so that `-u`/`-e` mean what `user:`/`env:` mean.
extension SpecBuilder {
    /// The OCI user for `value` (`name`, `uid`, `uid:gid`, `name:group`, …) looked up in the rootfs at
    /// `rootfsPath` (`/etc/passwd`, `/etc/group`), with its supplementary groups, as `user:` resolves it.
    public static func resolveUser(_ value: String, rootfsPath: String) throws -> OCIUser {
        let resolver = UserResolver(database: UserDatabase(rootfsPath: rootfsPath), location: nil)
        let (uid, gid) = try resolver.resolve(value)
        return OCIUser(uid: uid, gid: gid, additionalGids: try resolver.additionalGids(for: value, gid: gid))
    }

    /// `base` with each `K=V` of `overrides` replacing the entry with key K in place (a new key appended),
    /// as `env:` overrides the image's env.
    public static func overridingEnvironment(_ base: [String], with overrides: [String]) -> [String] {
        Environment.replaceOrAppend(base, overrides)
    }
}
