import SokuhoCore
import Yams

/// A YAML document read with positions, so every error can name file, line and column.
public struct YAMLDocument: Sendable {
    /// Parses YAML text; `file` is used in error messages only.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> Node? {
        do {
            return try Yams.compose(yaml: text, Resolver.default.removing(.timestamp))
        } catch let e as YamlError {
            throw ConfigError(file: file, line: e.line, column: e.column, key: nil, reason: "invalid YAML: \(e.problem)")
        } catch {
            throw ConfigError(file: file, line: nil, column: nil, key: nil, reason: "invalid YAML: \(error)")
        }
    }

    /// Converts a YAML node to JSON: plain scalars by YAML's core rules (null, booleans,
    /// integers, floats), quoted scalars and times stay strings. Anchors/aliases and
    /// non-string keys are refused.
    public static func json(_ node: Node, file: String, path: String = "") throws(ConfigError) -> JSONValue {
        switch node {
        case .scalar(let s):
            if s.style != .plain { return .string(s.string) }
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .bool(node.bool ?? false)
            case Tag.Name.int.rawValue:
                // Never Yams' `node.int`: its base-60 form ("1:30") traps on overflow, so one
                // number in a dropped file could stop the daemon (found by fuzzing).
                return integer(s.string).map { .int($0) } ?? .string(s.string)
            case Tag.Name.float.rawValue: return node.float.map { .double($0) } ?? .string(s.string)
            default: return .string(s.string)
            }
        case .sequence(let seq):
            var out: [JSONValue] = []
            for (i, item) in seq.enumerated() { out.append(try json(item, file: file, path: "\(path)[\(i)]")) }
            return .array(out)
        case .mapping(let map):
            var out: [String: JSONValue] = [:]
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw ConfigError(node: k, file: file, key: path, reason: "keys must be plain strings")
                }
                let key = ks.string
                if out[key] != nil { throw ConfigError(node: k, file: file, key: join(path, key), reason: "duplicate key") }
                out[key] = try json(v, file: file, path: join(path, key))
            }
            return .object(out)
        case .alias:
            throw ConfigError(node: node, file: file, key: path, reason: "YAML aliases are not supported")
        }
    }

    static func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : "\(a).\(b)" }

    /// A YAML integer in decimal, `0x` hex, `0o` octal or `0b` binary, with an optional sign and
    /// `_` separators; nil when it does not fit 64 bits or is another form (then it stays text).
    static func integer(_ text: String) -> Int64? {
        var t = Substring(text.replacingOccurrences(of: "_", with: ""))
        var negative = false
        if t.first == "-" || t.first == "+" { negative = t.first == "-"; t = t.dropFirst() }
        var radix = 10
        for (prefix, r) in [("0x", 16), ("0o", 8), ("0b", 2)] where t.hasPrefix(prefix) { radix = r; t = t.dropFirst(2) }
        guard !t.isEmpty, let magnitude = UInt64(t, radix: radix) else { return nil }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// Where each path (`steps[2].after[0]`, as `json` names them) is written: for a mapping
    /// entry its key, for a list item the item; `values` gives the value's own position.
    public struct Positions: Sendable {
        public struct Value: Sendable {
            public var line: Int
            public var column: Int
            /// A quoted scalar: its text starts one column later.
            public var quoted: Bool
        }

        public var keys: [String: (line: Int, column: Int)] = [:]
        public var values: [String: Value] = [:]

        public subscript(path: String) -> (line: Int, column: Int)? { keys[path] ?? values[path].map { ($0.line, $0.column) } }
    }

    public static func positions(_ root: Node) -> Positions {
        var p = Positions()
        func visit(_ node: Node, _ path: String) {
            if let m = node.mark {
                var quoted = false
                if case .scalar(let s) = node { quoted = s.style == .singleQuoted || s.style == .doubleQuoted }
                p.values[path] = .init(line: m.line, column: m.column, quoted: quoted)
            }
            switch node {
            case .mapping(let map):
                for (k, v) in map {
                    guard case .scalar(let ks) = k else { continue }
                    let child = join(path, ks.string)
                    if let m = k.mark { p.keys[child] = (m.line, m.column) }
                    visit(v, child)
                }
            case .sequence(let seq):
                for (i, item) in seq.enumerated() { visit(item, "\(path)[\(i)]") }
            default: break
            }
        }
        visit(root, "")
        return p
    }
}

extension YamlError {
    var line: Int? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): mark.line
        default: nil
        }
    }
    var column: Int? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): mark.column
        default: nil
        }
    }
    var problem: String {
        switch self {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): problem
        default: "\(self)"
        }
    }
}
