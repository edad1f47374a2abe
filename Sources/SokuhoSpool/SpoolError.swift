/// Errors of the spool's own I/O (directories, inotify, moving files). Problems with a dropped
/// file are not errors of this kind: they become rejections (`ValidationError` codes).
public enum SpoolError: Error, Sendable, CustomStringConvertible {
    case cannotCreate(path: String, reason: String)
    case notADirectory(path: String)
    case inotify(path: String, reason: String)
    case cannotMove(from: String, to: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreate(let p, let r): "cannot create spool directory \(p): \(r)"
        case .notADirectory(let p): "\(p) exists but is not a directory"
        case .inotify(let p, let r): "cannot watch \(p) with inotify: \(r)"
        case .cannotMove(let a, let b, let r): "cannot move \(a) to \(b): \(r)"
        case .cannotWrite(let p, let r): "cannot write \(p): \(r)"
        case .cannotRead(let p, let r): "cannot read \(p): \(r)"
        }
    }
}
