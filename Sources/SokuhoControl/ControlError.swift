/// Errors of the control-socket module.
public enum ControlError: Error, Sendable, CustomStringConvertible {
    /// Another process already listens on the socket path.
    case alreadyRunning(path: String)
    /// The socket could not be created, bound, or given its owner and mode.
    case cannotListen(path: String, reason: String)
    /// An inherited descriptor (socket activation) is not a listening Unix stream socket.
    case badInheritedSocket(fd: Int32)
    public var description: String {
        switch self {
        case .alreadyRunning(let path): "another sokuhod is already listening on \(path)"
        case .cannotListen(let path, let reason): "cannot listen on \(path): \(reason)"
        case .badInheritedSocket(let fd): "file descriptor \(fd) passed by systemd is not a listening Unix stream socket"
        }
    }
}
