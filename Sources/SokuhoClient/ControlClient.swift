import SokuhoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A blocking client for the control socket: one connection, one request line, one response
/// line at a time. Used by the `sokuho` command; no event loop, so it starts instantly.
public final class ControlClient {
    public let path: String
    private var fd: Int32
    private var pending: [UInt8] = []

    /// Where the daemon listens when nothing else is said: `$SOKUHO_SOCKET`, else
    /// `/run/sokuho/sokuhod.sock` (the systemd unit's socket).
    public static func socketPath(option: String?, environment: [String: String]) -> String {
        if let option, !option.isEmpty { return option }
        if let env = environment["SOKUHO_SOCKET"], !env.isEmpty { return env }
        return "/run/sokuho/sokuhod.sock"
    }

    /// Connects to the daemon at `path`; `timeoutSeconds` bounds each send and receive.
    public init(path: String, timeoutSeconds: Int = 60) throws(ClientError) {
        self.path = path
        let bytes = Array(path.utf8)
        var addr = sockaddr_un()
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            throw ClientError.unreachable(path: path, reason: "the socket path is too long")
        }
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError.unreachable(path: path, reason: String(cString: strerror(errno))) }
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            // deinit runs for a class whose init throws after full initialisation: never close twice.
            fd = -1
            throw ClientError.unreachable(path: path, reason: reason)
        }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends one request and waits for its response. A daemon that refuses the connection
    /// (too many connections) answers at once and closes: when sending fails for that reason,
    /// its answer is still read and returned.
    public func call(_ request: JSONValue) throws(ClientError) -> JSONValue {
        var line = request.canonicalBytes
        line.append(0x0A)
        let response: [UInt8]
        do {
            try send(line)
            response = try receiveLine()
        } catch {
            guard case .io = error, let early = try? receiveLine() else { throw error }
            response = early
        }
        do { return try JSONParser.parse(response) } catch {
            throw ClientError.badResponse("the daemon's answer is not JSON: \(error)")
        }
    }

    /// Sends raw bytes (tests use this to send malformed input).
    public func send(_ bytes: [UInt8]) throws(ClientError) {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { buf in Glibc.send(fd, buf.baseAddress! + off, buf.count - off, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ClientError.io(String(cString: strerror(errno)))
            }
            off += n
        }
    }

    /// Reads one response line (without the newline).
    public func receiveLine() throws(ClientError) -> [UInt8] {
        while true {
            if let nl = pending.firstIndex(of: 0x0A) {
                let line = Array(pending[..<nl])
                pending.removeFirst(nl + 1)
                return line
            }
            var buf = [UInt8](repeating: 0, count: 65536)
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError.timeout }
                throw ClientError.io(String(cString: strerror(errno)))
            }
            if n == 0 { throw ClientError.closed }
            pending.append(contentsOf: buf[0..<n])
        }
    }
}

/// Errors of the client module.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    /// The daemon cannot be reached at this path.
    case unreachable(path: String, reason: String)
    case io(String)
    case timeout
    /// The daemon closed the connection before answering.
    case closed
    case badResponse(String)

    public var description: String {
        switch self {
        case .unreachable(let path, let reason): "cannot reach sokuhod at \(path): \(reason)"
        case .io(let r): "socket error: \(r)"
        case .timeout: "the daemon did not answer in time"
        case .closed: "the daemon closed the connection before answering"
        case .badResponse(let r): r
        }
    }
}
