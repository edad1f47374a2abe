import Foundation
import SokuhoCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads a webhook secret file safely: the mode and owner are checked on the file that was
/// opened (`fstat` on the descriptor), so the file cannot be swapped between check and read.
///
/// Refused (judged on the file opened, a symbolic link by its target): anything but a regular file; a file others may
/// read or write, or the group may write — and, unless `groupMayRead` (the daemon's secrets are
/// often root:sokuho 0640), the group may read; a file owned by anyone but root, this process's
/// user or one of `owners`; more than 64 KiB; text that is not UTF-8. The one reader of secret
/// files, for `sokuhod` (`Endpoint.loadSecrets`) and `sokuho receive` alike.
public enum SecretFile {
    public static let maxBytes = 64 * 1024

    public enum Failure: Error, Sendable, Equatable {
        case cannotOpen(String)
        case notRegular
        case groupOrOtherAccess(mode: UInt32)
        case wrongOwner(uid: UInt32, expected: UInt32)
        case tooLarge
        case notUTF8
        case invalid(String)
    }

    /// The secrets in `path`.
    public static func load(_ path: String, euid: UInt32 = geteuid(), owners: Set<UInt32> = [], groupMayRead: Bool = false)
        throws(Failure) -> [WebhookSignature.Secret]
    {
        let text = try read(path, euid: euid, owners: owners, groupMayRead: groupMayRead)
        do { return try WebhookSignature.Secret.list(text) } catch { throw .invalid("\(error)") }
    }

    /// The checked text of `path`.
    public static func read(_ path: String, euid: UInt32 = geteuid(), owners: Set<UInt32> = [], groupMayRead: Bool = false) throws(Failure)
        -> String
    {
        // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw .cannotOpen(String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .cannotOpen(String(cString: strerror(errno))) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw .notRegular }
        if st.st_mode & (groupMayRead ? 0o027 : 0o077) != 0 { throw .groupOrOtherAccess(mode: UInt32(st.st_mode & 0o7777)) }
        if st.st_uid != 0 && st.st_uid != euid && !owners.contains(st.st_uid) { throw .wrongOwner(uid: UInt32(st.st_uid), expected: euid) }
        guard st.st_size <= maxBytes else { throw .tooLarge }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw .cannotOpen(String(cString: strerror(errno))) }
            if n == 0 { break }
            bytes.append(contentsOf: buf[0..<n])
            if bytes.count > maxBytes { throw .tooLarge }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return text
    }
}
