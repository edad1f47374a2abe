import SokuhoCore

/// The kind of request (a take-out or a disposal) a command acts on, as a type: the commands
/// both kinds share are generic over it.
protocol LedgerRequestKind {
    static var kind: LedgerID.RequestKind { get }
}

enum TakeOutRequest: LedgerRequestKind {
    static var kind: LedgerID.RequestKind { .takeOut }
}

enum DisposalRequest: LedgerRequestKind {
    static var kind: LedgerID.RequestKind { .disposal }
}

extension LedgerID.RequestKind {
    /// `take-out` or `disposal`, as messages and help name it.
    var noun: String { self == .takeOut ? "take-out" : "disposal" }

    /// A request id of this kind, such as `L-0001-T1`.
    var example: String { self == .takeOut ? "L-0001-T1" : "L-0001-D1" }

    /// The member of a ledger entry that lists its requests of this kind.
    var listKey: String { self == .takeOut ? "takeouts" : "disposals" }

    /// The id of the request an application just made, from the daemon's answer, shown.
    func applied(_ answer: JSONValue) -> String {
        shown(answer["entry"]?[listKey]?.arrayValue?.last?["request"]?.stringValue ?? "?")
    }
}
