import Foundation
import Synchronization

/// The users file as the running inbox sees it.
///
/// Contract:
/// - `current()` reads the file again when it changed since the last read (its inode, size or
///   change time: a write, a rename over it, a `chmod` or `chown`), so `sokuho-city user add` applies at the next login, without a restart;
///   an unchanged file costs one `stat` per login;
/// - a file that became unsafe (readable by others, not a regular file) or invalid is logged once
///   and counts as no users until it is fixed: logins fail closed, they never fall back to the
///   users read before;
/// - `init` throws what `InboxUsers.load` throws, so `sokuho-city serve` does not start on a bad file.
public final class InboxUserFile: Sendable {
    public let path: String
    private let log: @Sendable (String) -> Void
    private let state: Mutex<(stamp: Stamp?, users: InboxUsers)>

    /// What identifies one version of the file; nil when there is no file.
    struct Stamp: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        /// Mode and owner too: the change time is coarse, a quick `chmod` back may not move it.
        var mode: UInt32
        var owner: UInt32
        var group: UInt32
        /// The inode's change time, which every write, rename, chmod and chown moves.
        var seconds: Int
        var nanoseconds: Int

        init?(path: String) {
            var st = stat()
            guard lstat(path, &st) == 0 else { return nil }
            (device, inode, size) = (UInt64(st.st_dev), UInt64(st.st_ino), Int64(st.st_size))
            (mode, owner, group) = (UInt32(st.st_mode), UInt32(st.st_uid), UInt32(st.st_gid))
            (seconds, nanoseconds) = (st.st_ctim.tv_sec, st.st_ctim.tv_nsec)
        }
    }

    public init(path: String, log: @escaping @Sendable (String) -> Void) throws(InboxUsers.Failure) {
        let stamp = Stamp(path: path)
        let users = try InboxUsers.load(file: path)
        (self.path, self.log) = (path, log)
        state = Mutex((stamp, users))
    }

    /// The users as the file holds them now.
    public func current() -> InboxUsers {
        let stamp = Stamp(path: path)
        return state.withLock { s in
            if s.stamp == stamp { return s.users }
            s.stamp = stamp
            do {
                s.users = try InboxUsers.load(file: path)
                log("sokuho-city: inbox: read the users file again (\(s.users.hashes.count) users)")
            } catch {
                s.users = InboxUsers(hashes: [:])
                log("sokuho-city: inbox: nobody can log in until the users file is fixed: \(error)")
            }
            return s.users
        }
    }
}
