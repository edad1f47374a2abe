import Foundation

/// Errors of the receiver module.
public enum ReceiverError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(String, String)

    public var description: String {
        switch self {
        case .cannotOpen(let p, let r): "cannot open \(p) for appending: \(r)"
        }
    }
}
