/// The payloads of case events: each written as `data` and read back with `init(data:)`.

/// `case.updated` and `appi.updated`: `{"changes": {field: {"from": old, "to": new}}}`.
public struct FieldChanges: Sendable, Equatable {
    /// Each changed field with `{"from", "to"}`.
    public var changes: [String: JSONValue]
    public init(changes: [String: JSONValue]) { self.changes = changes }
    init(data: JSONValue) throws(EventDataError) {
        guard let changes = data["changes"]?.objectValue else { throw EventDataError("missing changes") }
        self.changes = changes
    }
    public var data: JSONValue { ["changes": .object(changes)] }
    /// Each changed field's new value.
    public var newValues: [String: JSONValue] { changes.mapValues { $0["to"] ?? .null } }
}

/// `playbook.assigned`: `{"playbook", "hash", "title": {ja, en}, "file"?}`.
public struct PlaybookAssignment: Sendable, Equatable {
    public var playbook: String
    public var hash: String
    public var title: LocalizedText
    /// The file it was loaded from (its name only).
    public var file: String?
    public init(playbook: String, hash: String, title: LocalizedText, file: String?) {
        (self.playbook, self.hash, self.title, self.file) = (playbook, hash, title, file)
    }
    init(data: JSONValue) throws(EventDataError) {
        guard let p = data["playbook"]?.stringValue, let h = data["hash"]?.stringValue,
            let ja = data["title"]?["ja"]?.stringValue, let en = data["title"]?["en"]?.stringValue
        else { throw EventDataError("missing playbook, hash or title") }
        self.init(playbook: p, hash: h, title: LocalizedText(ja: ja, en: en), file: data["file"]?.stringValue)
    }
    public var data: JSONValue {
        var o: [String: JSONValue] = ["playbook": .string(playbook), "hash": .string(hash), "title": title.json]
        if let file { o["file"] = .string(file) }
        return .object(o)
    }
}

/// `step.done`: `{"step", "by": {uid, user}, "auto", "note"?, "action"?}`.
public struct StepDone: Sendable, Equatable {
    public var step: String
    public var by: JSONValue
    /// Done by the daemon (an automatic step) rather than by a lead.
    public var auto: Bool
    public var note: String?
    /// What an automatic step did (`{"type": "notify_city", …}`).
    public var action: JSONValue?
    public init(step: String, by: JSONValue, auto: Bool, note: String? = nil, action: JSONValue? = nil) {
        (self.step, self.by, self.auto, self.note, self.action) = (step, by, auto, note, action)
    }
    init(data: JSONValue) throws(EventDataError) {
        guard let step = data["step"]?.stringValue else { throw EventDataError("missing step") }
        self.init(
            step: step, by: data["by"] ?? .null, auto: data["auto"]?.boolValue ?? false, note: data["note"]?.stringValue,
            action: data["action"])
    }
    public var data: JSONValue {
        var o: [String: JSONValue] = ["step": .string(step), "by": by, "auto": .bool(auto)]
        if let note { o["note"] = .string(note) }
        if let action { o["action"] = action }
        return .object(o)
    }
}

/// `step.skipped`: `{"step", "reason", "by": {uid, user}}`.
public struct StepSkipped: Sendable, Equatable {
    public var step: String
    public var reason: String
    public var by: JSONValue
    public init(step: String, reason: String, by: JSONValue) { (self.step, self.reason, self.by) = (step, reason, by) }
    init(data: JSONValue) throws(EventDataError) {
        guard let step = data["step"]?.stringValue else { throw EventDataError("missing step") }
        self.init(step: step, reason: data["reason"]?.stringValue ?? "", by: data["by"] ?? .null)
    }
    public var data: JSONValue { ["step": .string(step), "reason": .string(reason), "by": by] }
}

/// `step.reminded`: `{"step", "due_at", "overdue_seconds", "endpoint"}` (`endpoint` null when
/// no notify endpoint is configured).
public struct StepReminded: Sendable, Equatable {
    public var step: String
    public var dueAt: String
    public var overdueSeconds: Int64
    public var endpoint: String?
    public init(step: String, dueAt: String, overdueSeconds: Int64, endpoint: String?) {
        (self.step, self.dueAt, self.overdueSeconds, self.endpoint) = (step, dueAt, overdueSeconds, endpoint)
    }
    init(data: JSONValue) throws(EventDataError) {
        guard let step = data["step"]?.stringValue else { throw EventDataError("missing step") }
        self.init(
            step: step, dueAt: data["due_at"]?.stringValue ?? "", overdueSeconds: data["overdue_seconds"]?.intValue ?? 0,
            endpoint: data["endpoint"]?.stringValue)
    }
    public var data: JSONValue {
        ["step": .string(step), "due_at": .string(dueAt), "overdue_seconds": .int(overdueSeconds), "endpoint": .optional(endpoint)]
    }
}

/// `case.transitioned`: `{"from", "to", "reason"?, "resolution"?}` (`resolution` when resolved).
public struct StateTransition: Sendable, Equatable {
    public var from: CaseState
    public var to: CaseState
    public var reason: String?
    public var resolution: Resolution?
    public init(from: CaseState, to: CaseState, reason: String?, resolution: Resolution?) {
        (self.from, self.to, self.reason, self.resolution) = (from, to, reason, resolution)
    }
    init(data: JSONValue) throws(EventDataError) {
        guard let to = data["to"]?.stringValue.flatMap(CaseState.init(rawValue:)) else { throw EventDataError("missing to") }
        let from = data["from"]?.stringValue.flatMap(CaseState.init(rawValue:)) ?? .open
        self.init(
            from: from, to: to, reason: data["reason"]?.stringValue,
            resolution: data["resolution"]?.stringValue.flatMap(Resolution.init(rawValue:)))
    }
    public var data: JSONValue {
        var o: [String: JSONValue] = ["from": .string(from.rawValue), "to": .string(to.rawValue)]
        if let reason { o["reason"] = .string(reason) }
        if let resolution { o["resolution"] = .string(resolution.rawValue) }
        return .object(o)
    }
}

/// `instruction.added`: `{"instruction", "from", "text", "source", "external_id"?, "issued_at"?}`.
public struct InstructionAdded: Sendable, Equatable {
    /// `I-1`, `I-2`, … in the order recorded.
    public var instruction: String
    public var from: String
    public var text: String
    /// `manual` (a lead typed it) or the endpoint whose answer carried it.
    public var source: String
    public var externalID: String?
    public var issuedAt: String?
    public init(instruction: String, from: String, text: String, source: String, externalID: String?, issuedAt: String?) {
        (self.instruction, self.from, self.text, self.source, self.externalID, self.issuedAt) = (
            instruction, from, text, source, externalID, issuedAt
        )
    }
    init(data: JSONValue) throws(EventDataError) {
        guard let iid = data["instruction"]?.stringValue, let text = data["text"]?.stringValue else {
            throw EventDataError("missing instruction or text")
        }
        self.init(
            instruction: iid, from: data["from"]?.stringValue ?? "", text: text, source: data["source"]?.stringValue ?? "manual",
            externalID: data["external_id"]?.stringValue, issuedAt: data["issued_at"]?.stringValue)
    }
    public var data: JSONValue {
        var o: [String: JSONValue] = [
            "instruction": .string(instruction), "from": .string(from), "text": .string(text), "source": .string(source),
        ]
        if let externalID { o["external_id"] = .string(externalID) }
        if let issuedAt { o["issued_at"] = .string(issuedAt) }
        return .object(o)
    }
}

/// `instruction.done`: `{"instruction", "response", "by": {uid, user}}`.
public struct InstructionDone: Sendable, Equatable {
    public var instruction: String
    public var response: String
    public var by: JSONValue
    public init(instruction: String, response: String, by: JSONValue) {
        (self.instruction, self.response, self.by) = (instruction, response, by)
    }
    init(data: JSONValue) throws(EventDataError) {
        guard let iid = data["instruction"]?.stringValue else { throw EventDataError("unknown instruction") }
        self.init(instruction: iid, response: data["response"]?.stringValue ?? "", by: data["by"] ?? .null)
    }
    public var data: JSONValue { ["instruction": .string(instruction), "response": .string(response), "by": by] }
}

/// `publication.decided`: `{"decision", "date", "url", "note"}` (null when not given).
public struct PublicationDecision: Sendable, Equatable {
    public var decision: Publication.Decision
    public var date: String?
    public var url: String?
    public var note: String?
    /// `city` when the decision came from the city itself (its answer to a delivery or a poll),
    /// with the city's id for it; nil when a lead typed it in.
    public var source: String?
    public var externalID: String?
    public init(
        decision: Publication.Decision, date: String?, url: String?, note: String?, source: String? = nil, externalID: String? = nil
    ) {
        (self.decision, self.date, self.url, self.note, self.source, self.externalID) = (decision, date, url, note, source, externalID)
    }
    init(data: JSONValue) throws(EventDataError) {
        guard let d = data["decision"]?.stringValue.flatMap(Publication.Decision.init(rawValue:)) else {
            throw EventDataError("missing decision")
        }
        self.init(
            decision: d, date: data["date"]?.stringValue, url: data["url"]?.stringValue, note: data["note"]?.stringValue,
            source: data["source"]?.stringValue, externalID: data["external_id"]?.stringValue)
    }
    public var data: JSONValue {
        var o: [String: JSONValue] = [
            "decision": .string(decision.rawValue), "date": .optional(date), "url": .optional(url), "note": .optional(note),
        ]
        if let source { o["source"] = .string(source) }
        if let externalID { o["external_id"] = .string(externalID) }
        return .object(o)
    }
}

/// `report.submitted`: `{"report": "preliminary" | "confirmed"}`.
public struct ReportSubmission: Sendable, Equatable {
    public var report: String
    public init(report: String) { self.report = report }
    init(data: JSONValue) throws(EventDataError) {
        guard let r = data["report"]?.stringValue else { throw EventDataError("missing report") }
        self.init(report: r)
    }
    public var data: JSONValue { ["report": .string(report)] }
}

/// `clock.missed`: `{"clock", "due_at"}`.
public struct ClockMiss: Sendable, Equatable {
    public var clock: String
    public var dueAt: String
    public init(clock: String, dueAt: String) { (self.clock, self.dueAt) = (clock, dueAt) }
    init(data: JSONValue) throws(EventDataError) {
        guard let c = data["clock"]?.stringValue else { throw EventDataError("missing clock") }
        self.init(clock: c, dueAt: data["due_at"]?.stringValue ?? "")
    }
    public var data: JSONValue { ["clock": .string(clock), "due_at": .string(dueAt)] }
}
