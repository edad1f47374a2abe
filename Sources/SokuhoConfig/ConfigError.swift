import SokuhoCore
import Yams

/// A configuration problem: where (file, line, column, key) and why.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The dotted key, e.g. `socket.mode`.
    public var key: String?
    public var reason: String

    public init(file: String, line: Int?, column: Int?, key: String?, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        // A key can come from a dropped file: quoted bounded and escaped, like any text a user sent.
        self.key = key.map { TerminalSafe.quoted($0, limit: 200) }
        self.reason = reason
    }

    init(node: Node, file: String, key: String?, reason: String) {
        self.init(file: file, line: node.mark?.line, column: node.mark?.column, key: key, reason: reason)
    }

    /// `file:line:column: key: reason`, the form editors and compilers use.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let column { s += ":\(column)" }
        s += ": "
        if let key, !key.isEmpty { s += "\(key): " }
        return s + reason
    }
}
