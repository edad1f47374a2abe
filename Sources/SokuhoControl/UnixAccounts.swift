#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Name lookups in the system's user and group databases (NSS).
public enum UnixAccounts {
    /// The user name of `uid`, if the system knows it.
    public static func userName(uid: UInt32) -> String? {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil, let name = pwd.pw_name else { return nil }
        return String(cString: name)
    }

    /// The names of all groups `user` belongs to, including its primary group `gid`.
    public static func groupNames(user: String?, gid: UInt32) -> [String] {
        var gids: [gid_t] = [gid]
        if let user {
            var count: Int32 = 64
            var list = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(user, gid, &list, &count) == -1 {
                list = [gid_t](repeating: 0, count: Int(count))
                _ = getgrouplist(user, gid, &list, &count)
            }
            gids = Array(list.prefix(Int(max(0, count))))
            if !gids.contains(gid) { gids.append(gid) }
        }
        return gids.compactMap(groupName(gid:))
    }

    public static func groupName(gid: UInt32) -> String? {
        var grp = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 8192)
        guard getgrgid_r(gid, &grp, &buffer, buffer.count, &result) == 0, result != nil, let name = grp.gr_name else { return nil }
        return String(cString: name)
    }

    public static func groupID(name: String) -> UInt32? {
        var grp = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 8192)
        guard getgrnam_r(name, &grp, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return grp.gr_gid
    }
}
