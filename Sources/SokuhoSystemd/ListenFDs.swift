import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sockets passed by systemd socket activation (`sd_listen_fds(3)`).
public enum ListenFDs {
    public struct Descriptor: Sendable {
        public var fd: Int32
        /// From `FileDescriptorName=`; "unknown" when not named.
        public var name: String
    }

    /// The first descriptor is always 3.
    public static let start: Int32 = 3

    /// Takes the passed descriptors when `$LISTEN_PID` is this process: sets `FD_CLOEXEC` on
    /// each and removes the variables so children do not inherit them. Empty otherwise.
    public static func take() -> [Descriptor] {
        let env = ProcessInfo.processInfo.environment
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pidText = env["LISTEN_PID"], let pid = Int32(pidText), pid == getpid(),
            let countText = env["LISTEN_FDS"], let count = Int32(countText), count > 0
        else { return [] }
        let names = env["LISTEN_FDNAMES"]?.split(separator: ":", omittingEmptySubsequences: false).map(String.init) ?? []
        var out: [Descriptor] = []
        for i in 0..<count {
            let fd = start + i
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
            out.append(Descriptor(fd: fd, name: Int(i) < names.count ? names[Int(i)] : "unknown"))
        }
        return out
    }

    /// Whether `fd` is a listening Unix stream socket.
    public static func isUnixStreamListener(_ fd: Int32) -> Bool {
        var type: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0, type == Int32(SOCK_STREAM.rawValue) else { return false }
        var listening: Int32 = 0
        len = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0, listening == 1 else { return false }
        var addr = sockaddr_storage()
        var alen = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &alen) }
        }
        return ok == 0 && Int32(addr.ss_family) == AF_UNIX
    }
}
