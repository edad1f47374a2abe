/// Ledger entry ids, `L-<number of at least 4 digits>`, and the ids of the requests made for an
/// entry: `L-0003-T1` (the first take-out of L-0003), `L-0003-D1` (its first disposal). A
/// request id names its entry, so an approval routes itself.
public enum LedgerID {
    public static func make(number: Int) -> String {
        let n = String(number)
        return "L-" + String(repeating: "0", count: max(0, 4 - n.count)) + n
    }

    /// The entry number when `s` is a well-formed entry id.
    public static func parse(_ s: String) -> Int? {
        guard s.utf8.count <= 24, s.hasPrefix("L-") else { return nil }
        let digits = s.dropFirst(2)
        guard digits.count >= 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits), n > 0 else { return nil }
        return n
    }

    /// The kinds of request made for an entry.
    public enum RequestKind: String, Sendable {
        case takeOut = "T"
        case disposal = "D"
    }

    public static func request(entry: String, kind: RequestKind, number: Int) -> String { "\(entry)-\(kind.rawValue)\(number)" }

    /// `(entry, kind, number)` when `s` is a well-formed request id.
    public static func parseRequest(_ s: String) -> (entry: String, kind: RequestKind, number: Int)? {
        guard s.utf8.count <= 32, let dash = s.lastIndex(of: "-") else { return nil }
        let entry = String(s[..<dash])
        let tail = s[s.index(after: dash)...]
        guard parse(entry) != nil, let k = tail.first, let kind = RequestKind(rawValue: String(k)) else { return nil }
        let digits = tail.dropFirst()
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits), n > 0 else {
            return nil
        }
        return (entry, kind, n)
    }
}
