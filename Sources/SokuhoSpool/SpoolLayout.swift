#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The spool directory (`spool.dir`), Postfix-style:
///
/// - `tmp/`: writers create and write their file here;
/// - `incoming/`: writers rename the finished file into here (an atomic step); the daemon
///   picks it up;
/// - `accepted/`: files that became a case, renamed `<CASE-ID>--<name>`;
/// - `rejected/`: files that could not, with `<name>.error.json` beside each.
///
/// Names starting with `.` or ending in `.tmp` in `incoming/` are left alone until renamed.
public struct SpoolLayout: Sendable, Equatable {
    public let root: String

    public init(root: String) { self.root = root }

    public var tmp: String { root + "/tmp" }
    public var incoming: String { root + "/incoming" }
    public var accepted: String { root + "/accepted" }
    public var rejected: String { root + "/rejected" }

    /// Suffix of the reason file written beside each rejected file.
    public static let errorSuffix = ".error.json"

    /// Whether the daemon leaves this name in `incoming/` alone (a file still being written).
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".TMP")
    }

    /// Creates missing directories. Modes for a single-user setup; a system install gets its
    /// modes and groups from `systemd/sokuho.tmpfiles.conf` (drop boxes `3730`, others `0750`),
    /// which this never changes.
    public func prepare() throws(SpoolError) {
        for (path, mode) in [(root, 0o751), (tmp, 0o3730), (incoming, 0o3730), (accepted, 0o750), (rejected, 0o750)] as [(String, mode_t)] {
            var st = stat()
            if lstat(path, &st) == 0 {
                if st.st_mode & S_IFMT != S_IFDIR { throw SpoolError.notADirectory(path: path) }
                continue
            }
            if mkdir(path, mode) != 0, errno != EEXIST {
                throw SpoolError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
            }
            chmod(path, mode)  // mkdir applies the umask; the modes are deliberate
        }
    }
}
