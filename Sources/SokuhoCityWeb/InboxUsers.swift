import Foundation
import HummingbirdBcrypt

/// The inbox's staff: a file of `name:bcrypt-hash` lines (`sokuho-city user add NAME`).
///
/// Contract:
/// - the file must be a regular file owned by root or the daemon's user, neither readable by
///   others nor writable by its group (mode 0600 or 0640); `load` refuses it otherwise, and
///   `sokuho-city serve` does not start;
/// - a missing file is no users: nobody can log in;
/// - names are 1 to 64 letters, digits, `.`, `-`, `_`, `@`; a hash is bcrypt (`$2a$`/`$2b$`/`$2y$`);
/// - `verify` takes as long for an unknown name as for a known one (it checks a dummy hash).
public struct InboxUsers: Sendable {
    public let hashes: [String: String]

    public init(hashes: [String: String]) { self.hashes = hashes }

    public enum Failure: Error, CustomStringConvertible {
        case unsafe(String)
        case invalid(String)
        public var description: String {
            switch self {
            case .unsafe(let s), .invalid(let s): s
            }
        }
    }

    public static func validName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-_@".unicodeScalars.contains($0))
            }
    }

    /// Reads and checks the users file; no file: no users. The checks are made with `fstat` on
    /// the descriptor that is then read (no window between check and read), and the file is not
    /// followed if it is a symbolic link.
    public static func load(file: String) throws(Failure) -> InboxUsers {
        let fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT { return InboxUsers(hashes: [:]) }
            if errno == ELOOP { throw .unsafe("the users file \(file) is not a regular file") }
            throw .unsafe("cannot read the users file \(file): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw .unsafe("the users file \(file) is not a regular file") }
        guard st.st_mode & 0o027 == 0 else {
            throw .unsafe(
                "the users file \(file) is readable by others or writable by its group (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 0600 or 0640 it"
            )
        }
        guard st.st_uid == 0 || st.st_uid == geteuid() else {
            throw .unsafe(
                "the users file \(file) belongs to uid \(st.st_uid), neither root nor this process's user (uid \(geteuid())), who could add a login; chown it"
            )
        }
        guard st.st_size <= 1 << 20 else { throw .unsafe("the users file \(file) is larger than 1 MiB: not a users file") }
        guard let data = try? handle.readToEnd() ?? Data(), let text = String(data: data, encoding: .utf8) else {
            throw .unsafe("cannot read the users file \(file) as UTF-8 text")
        }
        var hashes: [String: String] = [:]
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let l = line.trimmingCharacters(in: .whitespaces)
            if l.isEmpty || l.hasPrefix("#") { continue }
            guard let colon = l.firstIndex(of: ":") else { throw .invalid("\(file):\(n + 1): not name:bcrypt-hash") }
            let name = String(l[..<colon])
            let hash = String(l[l.index(after: colon)...])
            guard validName(name), ["$2a$", "$2b$", "$2y$"].contains(where: hash.hasPrefix) else {
                throw .invalid("\(file):\(n + 1): not name:bcrypt-hash")
            }
            hashes[name] = hash
        }
        return InboxUsers(hashes: hashes)
    }

    /// Adds or replaces a user's hash (bcrypt, cost 12), writing the file by a rename, so it is
    /// never seen half written or readable by others. A new file gets mode 0600; a file that
    /// exists keeps its owner, group and mode (0600 or 0640: `load` refuses any other).
    public static func add(name: String, password: String, file: String, cost: UInt8 = 12) throws(Failure) {
        guard validName(name) else { throw .invalid("a user name is 1 to 64 letters, digits, . - _ or @") }
        var lines = try otherLines(than: name, in: file)
        lines.append(name + ":" + Bcrypt.hash(password, cost: cost))
        try write(lines, to: file)
    }

    /// Removes a user; false when there was no such user (nothing is written then). The running
    /// inbox ends that user's sessions at their next request.
    public static func remove(name: String, file: String) throws(Failure) -> Bool {
        let users = try load(file: file)
        guard users.hashes[name] != nil else { return false }
        try write(try otherLines(than: name, in: file), to: file)
        return true
    }

    /// The file's lines except `name`'s (after checking the file as `load` does).
    static func otherLines(than name: String, in file: String) throws(Failure) -> [String] {
        guard FileManager.default.fileExists(atPath: file) else { return [] }
        _ = try load(file: file)
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(name + ":") }
    }

    /// Replaces the file with `lines` through a synced temporary file and a rename, keeping the
    /// old file's owner, group and mode.
    static func write(_ lines: [String], to file: String) throws(Failure) {
        var old = stat()
        let existed = lstat(file, &old) == 0
        let temp = file + ".new"
        unlink(temp)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unsafe("cannot write \(temp): \(String(cString: strerror(errno)))") }
        if existed {
            // As root, give the new version the old one's owner (the daemon's user); as the owner, a no-op.
            _ = fchown(fd, old.st_uid, old.st_gid)
            fchmod(fd, old.st_mode & 0o640)
        }
        let bytes = Array((lines.map { $0 + "\n" }.joined()).utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temp, file) == 0 else {
            unlink(temp)
            throw .unsafe("cannot write \(file): \(String(cString: strerror(errno)))")
        }
    }

    /// A bcrypt hash of a random secret (cost 12), checked for unknown names.
    static let dummyHash = Bcrypt.hash(InboxSessions.randomToken(), cost: 12)

    /// Whether the password is this user's (bcrypt; as slow for unknown users).
    public func verify(name: String, password: String) -> Bool {
        guard let hash = hashes[name] else {
            _ = Bcrypt.verify(password, hash: Self.dummyHash)
            return false
        }
        return Bcrypt.verify(password, hash: hash)
    }
}
