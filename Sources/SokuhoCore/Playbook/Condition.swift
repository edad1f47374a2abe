/// A condition on a case, as playbooks write it in `when`:
///
///     count > 100
///     kind == leak and not suspected
///     count == null or count_precision != exact
///     (kind == leak or kind == loss) and count >= 1000
///     subcontractor
///
/// Fields are the report's (`kind`, `suspected`, `count`, `count_precision`, `location`, …) and
/// `state`. A field alone is true when it is set (not null, not false, not empty). Comparisons
/// with an unknown (null) count are false, except `== null` / `!= null`. `and` binds tighter
/// than `or`; `not` tighter than both.
public struct Condition: Sendable, Hashable, CustomStringConvertible {
    /// The text as written: stored with the playbook, shown to people.
    public let source: String
    let root: Node

    indirect enum Node: Sendable, Hashable {
        case and(Node, Node)
        case or(Node, Node)
        case not(Node)
        case truthy(String)
        case compare(String, Op, JSONValue)
    }

    enum Op: String, Sendable, Hashable, CaseIterable {
        case eq = "==", ne = "!=", ge = ">=", le = "<=", gt = ">", lt = "<"
    }

    public var description: String { source }

    /// The fields a condition may name, with the kind of value each holds.
    enum FieldType { case number, bool, text, choice([String]) }

    static let fields: [String: FieldType] = [
        "kind": .choice(IncidentKind.allCases.map(\.rawValue)),
        "suspected": .bool,
        "count": .number,
        "count_precision": .choice(CountPrecision.allCases.map(\.rawValue)),
        "state": .choice(CaseState.allCases.map(\.rawValue)),
        "information": .text, "location": .text, "circumstances": .text, "subcontractor": .text,
        "occurred_at": .text, "discovered_at": .text,
    ]

    /// The facts a condition is evaluated on: the report's fields and the case state.
    public static func facts(of c: Case) -> [String: JSONValue] {
        var f = c.report.json.objectValue ?? [:]
        f["state"] = .string(c.state.rawValue)
        return f
    }

    public func holds(for c: Case) -> Bool { evaluate(Self.facts(of: c)) }

    public func evaluate(_ facts: [String: JSONValue]) -> Bool { Self.eval(root, facts) }

    static func eval(_ n: Node, _ f: [String: JSONValue]) -> Bool {
        switch n {
        case .and(let a, let b): return eval(a, f) && eval(b, f)
        case .or(let a, let b): return eval(a, f) || eval(b, f)
        case .not(let a): return !eval(a, f)
        case .truthy(let field):
            switch f[field] ?? .null {
            case .null: return false
            case .bool(let b): return b
            case .string(let s): return !s.isEmpty
            case .int(let i): return i != 0
            default: return true
            }
        case .compare(let field, let op, let value):
            let actual = f[field] ?? .null
            if value.isNull || actual.isNull {
                let same = value.isNull && actual.isNull
                switch op {
                case .eq: return same
                case .ne: return !same
                default: return false
                }
            }
            if case .int(let a) = actual, case .int(let b) = value {
                switch op {
                case .eq: return a == b
                case .ne: return a != b
                case .gt: return a > b
                case .ge: return a >= b
                case .lt: return a < b
                case .le: return a <= b
                }
            }
            switch op {
            case .eq: return actual == value
            case .ne: return actual != value
            default: return false
            }
        }
    }
}
