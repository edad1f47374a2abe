import Foundation
import SokuhoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Drops a report into the spool the way every writer should: write it in `tmp/`, fsync, rename
/// it into `incoming/` (atomic), fsync the directory. Used by `sokuho report` when the daemon
/// cannot be reached, so a report is never lost because the daemon is down.
public enum SpoolWriter {
    /// Writes `report` (a JSON object) and returns the name it has in `incoming/`.
    ///
    /// The file is group-readable (0640): in a system install `incoming/` is set-group-ID to the
    /// group `sokuho`, which only the daemon's user is in, and not listable by reporters.
    public static func drop(_ report: JSONValue, into layout: SpoolLayout, user: String?, now: Date = Date()) throws(SpoolError) -> String {
        try drop(bytes: Array((report.prettyString + "\n").utf8), extension: "json", into: layout, user: user, now: now)
    }

    /// Drops a report file's exact bytes (`sokuho spool drop`): a new file under a fresh random
    /// name in `tmp/` (`O_EXCL`: never a name someone prepared), `0640`, fsynced, renamed into
    /// `incoming/`. `extension` (json, yaml, yml, txt) tells the daemon how to read it.
    public static func drop(bytes: [UInt8], extension ext: String, into layout: SpoolLayout, user: String?, now: Date = Date())
        throws(SpoolError) -> String
    {
        let stamp = Timestamp.format(now).filter { $0.isNumber || $0 == "T" }.prefix(15)
        let who = (user ?? "uid\(getuid())").filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }.prefix(32)
        let safeExt = ext.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(8)
        let name = "\(stamp)-\(who)-\(String(UInt64.random(in: 0 ... .max), radix: 16))" + (safeExt.isEmpty ? "" : ".\(safeExt)")
        let tmp = layout.tmp + "/" + name
        try SpoolFiles.createDurably(tmp, bytes: bytes, mode: 0o640)
        let target = layout.incoming + "/" + name
        if rename(tmp, target) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw SpoolError.cannotMove(from: tmp, to: target, reason: reason)
        }
        SpoolFiles.syncDirectory(of: target)
        return name
    }
}
