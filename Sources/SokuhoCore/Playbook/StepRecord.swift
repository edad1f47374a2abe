/// The playbook a case follows: the version it started with.
public struct PlaybookRef: Sendable, Hashable {
    public var id: String
    /// `Playbook.hash` of the version in force for this case.
    public var hash: String
    public var title: LocalizedText
    public var assignedAt: String

    public var json: JSONValue {
        ["id": .string(id), "hash": .string(hash), "title": title.json, "assigned_at": .string(assignedAt)]
    }
}

/// What happened to one step of a case, from its events.
public struct StepRecord: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        case done, skipped
    }

    public var outcome: Outcome?
    public var at: String?
    /// `{uid, user}` of whoever did or skipped it (the daemon for auto steps).
    public var by: JSONValue = .null
    /// The note (done) or the reason (skipped).
    public var note: String?
    public var auto = false
    public var remindedAt: String?
    public var reminders = 0

    public init() {}

    /// Records the step as done or skipped.
    mutating func record(_ outcome: Outcome, at: String, by: JSONValue, note: String?, auto: Bool) {
        self.outcome = outcome
        self.at = at
        self.by = by
        self.note = note
        self.auto = auto
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["reminders": .int(Int64(reminders))]
        if let outcome { o["outcome"] = .string(outcome.rawValue) }
        if let at { o["at"] = .string(at) }
        if !by.isNull { o["by"] = by }
        if let note { o[outcome == .skipped ? "reason" : "note"] = .string(note) }
        if auto { o["auto"] = .bool(true) }
        if let remindedAt { o["reminded_at"] = .string(remindedAt) }
        return .object(o)
    }
}
