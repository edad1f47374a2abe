import SokuhoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Moving spool files and writing reason files: never overwriting, never deleting.
///
/// Safe to use for several files at once when the callers share one `SpoolNameClaims`: each
/// new name is claimed while its file is written, so no two files are given the same one.
enum SpoolFiles {
    /// A NUL-terminated C path from raw bytes (names need not be UTF-8).
    static func cPath(_ bytes: [UInt8]) -> [CChar] {
        bytes.map { CChar(bitPattern: $0) } + [0]
    }

    /// Renames `source` into `directory` as `name`, or as `name` with `-2`, `-3`, … before its
    /// extension when that name is taken. Returns the path relative to the spool root.
    @discardableResult
    static func move(
        _ source: [UInt8], toDirectory directory: String, as name: String, claims: SpoolNameClaims
    ) throws(SpoolError) -> String {
        let target = claims.claim(in: directory, for: name)
        defer { claims.release(in: directory, target) }
        try rename(source, to: directory + "/" + target)
        return lastComponent(directory) + "/" + target
    }

    /// Writes `bytes` as a new file owned by the daemon, read-only (0440), into `directory` as
    /// `name` (or a free variant), durably, and then removes `source`. After a crash between the
    /// two, the retry finds its copy already there (same bytes) and only removes `source`.
    /// Returns the path relative to the spool root.
    @discardableResult
    static func install(
        _ bytes: [UInt8], replacing source: [UInt8]?, inDirectory directory: String, as name: String,
        claims: SpoolNameClaims
    ) throws(SpoolError) -> String {
        if holds(directory + "/" + name, bytes) {
            try remove(source, keptAs: directory + "/" + name)
            return lastComponent(directory) + "/" + name
        }
        let target = claims.claim(in: directory, for: name)
        defer { claims.release(in: directory, target) }
        try keepCopy(bytes, at: directory + "/" + target, replacing: source)
        return lastComponent(directory) + "/" + target
    }

    /// Writes `bytes` durably as a new read-only (0440) file of the daemon at `path`, then
    /// removes `source`: the evidence is the daemon's own, and the reporter's file is gone.
    static func keepCopy(_ bytes: [UInt8], at path: String, replacing source: [UInt8]?) throws(SpoolError) {
        try writeAtomically(path, bytes: bytes, mode: 0o440)
        syncDirectory(of: path)
        try remove(source, keptAs: path)
    }

    /// Removes the original of a file whose copy is kept at `path`; nil: there is none to remove
    /// (another file took its name while it was taken, and is left to be read as itself).
    static func remove(_ source: [UInt8]?, keptAs path: String) throws(SpoolError) {
        guard let source else { return }
        if unlink(cPath(source)) != 0, errno != ENOENT {
            throw SpoolError.cannotMove(
                from: String(decoding: source, as: UTF8.self), to: path,
                reason: "copied, but the original cannot be removed: \(String(cString: strerror(errno)))")
        }
    }

    /// Makes the entries of the directory holding `path` durable (after a create or rename),
    /// sharing the sync with files renamed there at the same time (`SpoolDirectorySync`).
    static func syncDirectory(of path: String) {
        let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        SpoolDirectorySync.shared.sync(dir.isEmpty ? "." : dir)
    }

    /// Whether `path` is a regular file holding exactly `bytes`.
    static func holds(_ path: String, _ bytes: [UInt8]) -> Bool {
        guard case .file(let held, _, _) = SpoolReader.read(path: path, maxSize: bytes.count) else { return false }
        return held == bytes
    }

    /// Writes `<target>.error.json` (atomically) and then renames `source` to `<target>` in
    /// `directory`. A crash between the two leaves the file in incoming/ and its decision in the
    /// journal; the retry rewrites the same reason file and completes the move.
    ///
    /// A file that was read (`bytes`) is kept as the daemon's own read-only copy of exactly those
    /// bytes (0440) and the reporter's file removed, as for accepted files: nobody can change it
    /// afterwards. An entry that was not read (a link, FIFO, device, directory, a file too large)
    /// is renamed as it is.
    /// After a crash between keeping the copy and removing the original, the retry finds the
    /// copy (same bytes, same name) and completes the removal: one rejection, one copy.
    static func reject(
        _ source: [UInt8]?, name: String, into directory: String, reason: JSONValue, bytes: [UInt8]? = nil,
        claims: SpoolNameClaims
    ) throws(SpoolError) -> String {
        if let bytes, holds(directory + "/" + name, bytes) {
            try remove(source, keptAs: directory + "/" + name)
            return lastComponent(directory) + "/" + name
        }
        let target = claims.claim(in: directory, for: name)
        defer { claims.release(in: directory, target) }
        var body = reason
        if case .object(var o) = body {
            o["moved_to"] = .string(lastComponent(directory) + "/" + target)
            body = .object(o)
        }
        try writeAtomically(directory + "/" + target + SpoolLayout.errorSuffix, bytes: Array((body.prettyString + "\n").utf8), mode: 0o640)
        if let bytes {
            try keepCopy(bytes, at: directory + "/" + target, replacing: source)
        } else if let source {
            try rename(source, to: directory + "/" + target)
        }
        return lastComponent(directory) + "/" + target
    }

    static func rename(_ source: [UInt8], to target: String) throws(SpoolError) {
        if Glibc.rename(cPath(source), target) != 0 {
            throw SpoolError.cannotMove(from: String(decoding: source, as: UTF8.self), to: target, reason: String(cString: strerror(errno)))
        }
    }

    /// Writes a file through a hidden temporary name, fsyncs it, and renames it into place.
    static func writeAtomically(_ path: String, bytes: [UInt8], mode: mode_t) throws(SpoolError) {
        let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let tmp = dir + "/.tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try createDurably(tmp, bytes: bytes, mode: mode)
        if Glibc.rename(tmp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw SpoolError.cannotWrite(path: path, reason: reason)
        }
    }

    /// Creates a new file (never following or replacing an existing entry) with exactly `mode`,
    /// writes `bytes` and fsyncs it. On failure nothing is left behind.
    static func createDurably(_ path: String, bytes: [UInt8], mode: mode_t) throws(SpoolError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw SpoolError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        fchmod(fd, mode)  // regardless of the umask
        var written = 0
        var failure: Int32 = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress! + written, raw.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            written += n
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure != 0 {
            unlink(path)
            throw SpoolError.cannotWrite(path: path, reason: String(cString: strerror(failure)))
        }
    }

    /// `name`, or `name` with a counter before its extension, that no entry in `directory` has
    /// and that `taken` does not name (claims of files being written: `SpoolNameClaims`).
    static func freeName(in directory: String, for name: String, taken: (String) -> Bool = { _ in false }) -> String {
        // A file is never kept under a reason's name: a dropped `y.error.json` would take the
        // place of the reason of a later `y` (and hide from `spool.list`).
        func free(_ n: String) -> Bool {
            var st = stat()
            return !n.hasSuffix(SpoolLayout.errorSuffix) && !taken(n) && lstat(directory + "/" + n, &st) != 0
        }
        if free(name) { return name }
        let ext = SpoolDecoder.fileExtension(name)
        let stem = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
        var n = 2
        while true {
            let candidate = ext.isEmpty ? "\(stem)-\(n)" : "\(stem)-\(n).\(name.suffix(ext.count))"
            if free(candidate) { return candidate }
            n += 1
        }
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
