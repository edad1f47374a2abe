#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Creates the listening Unix socket file with its final mode and group before anyone can reach
/// it, without changing the process-wide umask (other services start meanwhile): the socket is
/// bound inside a new private (0700) directory next to `path`, given `mode` and `group`, and
/// linked into place — `link` never replaces an existing entry, so a second daemon starting at
/// the same moment fails instead of taking over the first one's socket.
enum UnixListener {
    static func listen(path: String, mode: mode_t, group: gid_t?, backlog: Int32) throws(ControlError) -> Int32 {
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        var template = Array(((parent.isEmpty ? "." : parent) + "/.skXXXXXX").utf8CString)
        guard let dirPointer = mkdtemp(&template) else {
            throw ControlError.cannotListen(
                path: path, reason: "cannot create a private directory beside it: \(String(cString: strerror(errno)))")
        }
        let privateDir = String(cString: dirPointer)
        let staging = privateDir + "/s"
        defer { rmdir(privateDir) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlError.cannotListen(path: path, reason: String(cString: strerror(errno))) }
        func fail(_ what: String) -> ControlError {
            let reason = "\(what): \(String(cString: strerror(errno)))"
            close(fd)
            unlink(staging)
            return ControlError.cannotListen(path: path, reason: reason)
        }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(staging.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else {
            close(fd)
            throw ControlError.cannotListen(path: path, reason: "the path is too long for a Unix socket")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if bound != 0 { throw fail("bind") }
        if let group, chown(staging, UInt32.max, group) != 0 { throw fail("cannot give the socket to its group") }
        if chmod(staging, mode) != 0 { throw fail("cannot set mode \(String(mode, radix: 8))") }
        if Glibc.listen(fd, backlog) != 0 { throw fail("listen") }
        if link(staging, path) != 0 {
            if errno == EEXIST { close(fd); unlink(staging); throw ControlError.alreadyRunning(path: path) }
            throw fail("cannot put the socket into place")
        }
        unlink(staging)
        return fd
    }
}
