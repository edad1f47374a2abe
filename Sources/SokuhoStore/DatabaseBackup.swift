import Foundation
import GRDB
import SokuhoCore

#if canImport(Glibc)
import Glibc
#endif

/// A consistent copy of a case database, taken while the daemon writes (`sokuho backup`).
///
/// Contract:
/// - the copy is one read transaction's snapshot (`VACUUM INTO`): every committed event up to
///   some point, nothing half-written, whatever the daemon is doing;
/// - the destination must not exist: an existing file, directory or symbolic link (even a
///   dangling one) is refused and left untouched; so is a directory that another user can change
///   (SQLite writes the copy by name: whoever may rename entries there could swap the temporary
///   file for a link and receive the copy): the directory and every directory above it must be
///   owned by root, the caller or the database's owner and not writable by group or others,
///   unless sticky; the copy is written to a new temporary file
///   in the same directory (created exclusively, mode 0600, never following a link), `fsync`ed,
///   verified like `sokuho audit verify`, and only then linked to its name (which fails if the
///   name appeared meanwhile); the directory is `fsync`ed;
/// - a copy that does not verify is removed and reported; nothing is left behind.
public enum DatabaseBackup {
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case destinationExists(String)
        case unsafeDirectory(String, String)
        case cannotCreate(String, String)
        case copyFailed(String)
        case doesNotVerify(AuditChain.Problem)

        public var description: String {
            switch self {
            case .destinationExists(let p): "\(p) already exists (a file, directory or link): choose a new name; nothing was written"
            case .unsafeDirectory(let p, let reason):
                "\(p) \(reason): another user could swap the copy for a link to a file of theirs; back up into a directory only you (or root) can change"
            case .cannotCreate(let p, let reason): "cannot create \(p): \(reason)"
            case .copyFailed(let reason): "the copy failed: \(reason)"
            case .doesNotVerify(let p): "the copy does not verify (event #\(p.seq): \(p.message)); it was removed"
            }
        }
    }

    /// Copies the database at `source` to `destination`, verifies the copy and returns its verification.
    public static func run(source: String, destination: String) throws -> AuditReader.Outcome {
        var st = stat()
        if lstat(destination, &st) == 0 { throw Failure.destinationExists(destination) }
        let url = URL(fileURLWithPath: destination)
        let directory = url.deletingLastPathComponent().path
        // The database's owner (sokuho) may read it anyway: a directory of theirs is trusted too.
        var source_st = stat()
        let owner: uid_t? = stat(source, &source_st) == 0 ? source_st.st_uid : nil
        try checkNoOtherUserControls(directory, trusting: owner)
        let temporary = directory + "/." + url.lastPathComponent + ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure.cannotCreate(temporary, String(cString: strerror(errno))) }
        defer { close(fd) }
        var linked = false
        defer {
            if !linked {
                unlink(temporary)
            }
            unlink(temporary + "-wal")
            unlink(temporary + "-shm")
            unlink(temporary + "-journal")
        }
        _ = fchmod(fd, 0o600)
        do {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(10)
            let queue = try DatabaseQueue(path: source, configuration: config)
            try queue.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [temporary]) }
            try queue.close()
            // The copy is a plain rollback-journal database: one file, nothing beside it.
            let copy = try DatabaseQueue(path: temporary)
            try copy.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") }
            try copy.close()
        } catch {
            throw Failure.copyFailed("\(CaseStore.openError(error, path: source))")
        }
        // The file written is the one created above (not something swapped in under its name).
        var mine = stat()
        var named = stat()
        guard fstat(fd, &mine) == 0, lstat(temporary, &named) == 0, mine.st_dev == named.st_dev, mine.st_ino == named.st_ino,
            (named.st_mode & S_IFMT) == S_IFREG
        else { throw Failure.copyFailed("\(temporary) was replaced while the copy was written") }
        guard fsync(fd) == 0 else { throw Failure.copyFailed("fsync: \(String(cString: strerror(errno)))") }
        let outcome = try AuditReader(path: temporary).verify()
        if let p = outcome.problem { throw Failure.doesNotVerify(p) }
        guard link(temporary, destination) == 0 else {
            if errno == EEXIST { throw Failure.destinationExists(destination) }
            throw Failure.cannotCreate(destination, String(cString: strerror(errno)))
        }
        linked = true
        unlink(temporary)
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
        return outcome
    }

    /// Refuses `directory` when a user other than root, the caller and `owner` (the database's
    /// owner, who can read it anyway) may rename or replace an entry in it or in any directory
    /// above it (symbolic links resolved first).
    static func checkNoOtherUserControls(_ directory: String, trusting owner: uid_t?) throws {
        guard let resolved = realpath(directory, nil) else {
            throw Failure.cannotCreate(directory, String(cString: strerror(errno)))
        }
        var path = String(cString: resolved)
        free(resolved)
        let me = geteuid()
        while true {
            var st = stat()
            guard stat(path, &st) == 0 else { throw Failure.cannotCreate(path, String(cString: strerror(errno))) }
            if st.st_uid != 0 && st.st_uid != me && st.st_uid != owner { throw Failure.unsafeDirectory(path, "belongs to another user") }
            if st.st_mode & 0o022 != 0 && st.st_mode & S_ISVTX == 0 {
                throw Failure.unsafeDirectory(path, "is writable by another user (group or others, no sticky bit)")
            }
            if path == "/" { return }
            path = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if path.isEmpty { path = "/" }
        }
    }
}
