/// An Article 18 case: the current state of one incident, derived from its events.
///
/// A `Case` is never edited in place by callers: it is created by a `case.opened` event and
/// changed only by applying later events (`Case+Events.swift`).
public struct Case: Sendable, Hashable {
    /// `INC-<year>-<sequence>`.
    public var id: String
    public var state: CaseState
    public var report: Report
    /// When the daemon received the report (RFC 3339, UTC).
    public var reportedAt: String
    /// The reporter's Unix identity, taken from the kernel.
    public var reportedBy: PeerIdentity
    /// Hash of the opening event: the receipt the reporter holds.
    public var openingHash: String
    /// When the case last changed.
    public var updatedAt: String
    /// The number of events applied to this case.
    public var version: Int
    /// How the report arrived (socket, or the spool file with its hash and encoding).
    public var source: ReportSource = .socket
    /// The playbook the case follows, if one applied when it opened.
    public var playbook: PlaybookRef?
    /// Progress of the playbook's steps, by step id.
    public var steps: [String: StepRecord] = [:]
    /// How it was resolved (set when resolved; kept when closed).
    public var resolution: Resolution?
    /// The city's instructions, in the order received.
    public var instructions: [Instruction] = []
    /// The nine APPI items and the triggers, as known so far.
    public var appi = AppiItems()
    /// The city's publication decision (Art. 18 §2).
    public var publication: Publication?
    /// Reports submitted to the city: `preliminary`, `confirmed` → when.
    public var submitted: [String: String] = [:]
    /// Clocks already raised as missed (each alarms once).
    public var clocksMissed: Set<String> = []
    public var closedAt: String?
    /// The ledger entries the report named, as they were when it was received (what the city is
    /// told: id, name, category, records, unit, media, state).
    public var ledgerEntries: [JSONValue] = []
    /// The report fields the daemon took from those entries (`information`, `count`).
    public var fromLedger: [String] = []

    /// The Article 18 facts still unknown. For now: `count` while the count is unknown.
    public var missing: [String] {
        var m: [String] = []
        if report.count == nil { m.append("count") }
        return m
    }

    public init(
        id: String, state: CaseState, report: Report, reportedAt: String, reportedBy: PeerIdentity,
        openingHash: String, updatedAt: String, version: Int
    ) {
        self.id = id
        self.state = state
        self.report = report
        self.reportedAt = reportedAt
        self.reportedBy = reportedBy
        self.openingHash = openingHash
        self.updatedAt = updatedAt
        self.version = version
    }

    /// The case as JSON: the report fields plus what the daemon adds. See `docs/protocol.md`.
    public var json: JSONValue {
        guard case .object(var o) = report.json else { return .null }
        o.reserveCapacity(o.count + 20)
        o["id"] = .string(id)
        o["state"] = .string(state.rawValue)
        o["reported_at"] = .string(reportedAt)
        o["reported_by"] = ["uid": .int(Int64(reportedBy.uid)), "pid": .int(Int64(reportedBy.pid)), "user": .optional(reportedBy.user)]
        o["missing"] = .array(missing.map { .string($0) })
        o["opening_hash"] = .string(openingHash)
        o["updated_at"] = .string(updatedAt)
        o["version"] = .int(Int64(version))
        o["source"] = source.json
        o["playbook"] = playbook?.json ?? .null
        o["resolution"] = .optional(resolution?.rawValue)
        o["instructions"] = .array(instructions.map(\.json))
        o["appi"] = appi.json
        o["publication"] = publication?.json ?? .null
        o["submitted"] = .object(submitted.mapValues { .string($0) })
        o["closed_at"] = .optional(closedAt)
        if !steps.isEmpty { o["steps"] = .object(steps.mapValues(\.json)) }
        if !ledgerEntries.isEmpty { o["ledger_entries"] = .array(ledgerEntries) }
        if !fromLedger.isEmpty { o["from_ledger"] = .array(fromLedger.map { .string($0) }) }
        return .object(o)
    }

    /// A case's JSON as a reporter may see it: they may name ledger entries but not read the
    /// ledger, so entries show by id only. Works on stored case bodies too (`case.list`).
    public static func reporterView(_ json: JSONValue) -> JSONValue {
        guard case .object(var o) = json, let entries = o["ledger_entries"]?.arrayValue else { return json }
        o["ledger_entries"] = .array(entries.map { ["id": $0["id"] ?? .null] })
        return .object(o)
    }

    /// A short form for lists.
    public var summaryJSON: JSONValue {
        [
            "id": .string(id), "state": .string(state.rawValue), "kind": .string(report.kind.rawValue),
            "suspected": .bool(report.suspected), "count": .optional(report.count),
            "information": .string(report.information), "location": .string(report.location),
            "reported_at": .string(reportedAt), "updated_at": .string(updatedAt),
            "missing": .array(missing.map { .string($0) }),
            "reported_by": ["uid": .int(Int64(reportedBy.uid)), "user": .optional(reportedBy.user)],
        ]
    }
}

/// Case identifiers: `INC-<year>-<sequence of at least 4 digits>`.
public enum CaseID {
    public static func make(year: Int, number: Int) -> String {
        let n = String(number)
        return "INC-\(year)-" + String(repeating: "0", count: max(0, 4 - n.count)) + n
    }

    /// The longest well-formed id: `INC-`, four digits, `-`, at most nine digits.
    public static let maxLength = 18

    /// `(year, number)` when `s` is a well-formed case id: `INC-`, a year of four ASCII digits,
    /// `-`, a number of four to nine ASCII digits (no sign, not 0). Anything longer is refused
    /// before it is looked at, so an id can be quoted, recorded or logged as it is.
    public static func parse(_ s: String) -> (year: Int, number: Int)? {
        guard s.utf8.count <= maxLength else { return nil }
        let parts = s.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        let isDigit = { (b: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
        guard parts.count == 3, parts[0].elementsEqual("INC".utf8), parts[1].count == 4, (4...9).contains(parts[2].count),
            parts[1].allSatisfy(isDigit), parts[2].allSatisfy(isDigit)
        else { return nil }
        let value = { (digits: Substring.UTF8View.SubSequence) in digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } }
        let n = value(parts[2])
        return n > 0 ? (value(parts[1]), n) : nil
    }
}
