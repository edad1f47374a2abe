/// The messages sent to the city and other endpoints (`docs/escalation.md`,
/// `docs/schema/webhook.schema.json`).
///
/// Payload: `{"type", "timestamp", "data": {…}}`. `data` carries the Article 18 facts, what is
/// still missing, the case's message sequence number, the reporter's declared contact, and the
/// audit chain head at that moment. It carries no personal data of the people affected (the
/// report itself holds none by design: it describes the information, not its contents).
public enum EscalationMessage {
    /// How much of an endpoint's answer the daemon reads (instructions, decisions, approvals).
    /// An answer must fit: the city sends what it owes in answers below this.
    public static let maxAnswerBytes = 65_536

    /// Every message type Sokuho sends (the wire name is the raw value). A playbook's
    /// `notify_city` step may also send its own `incident.<name>` (see `Playbook.Step`).
    public enum Kind: String, Sendable, CaseIterable {
        /// 第一報: the first report, sent the moment a case opens.
        case opened = "incident.opened"
        /// 続報: an update, carrying what changed.
        case updated = "incident.updated"
        /// The case was closed (the final report).
        case closed = "incident.closed"
        case reopened = "incident.reopened"
        /// Contained or resolved.
        case stateChanged = "incident.state_changed"
        case instructionDone = "incident.instruction_done"
        case publication = "incident.publication"
        /// 速報 and 確報 to the national authority, through the city.
        case preliminaryReport = "incident.preliminary_report"
        case confirmedReport = "incident.confirmed_report"
        case clockMissed = "incident.clock_missed"
        /// Playbook notices for the security lead's endpoint.
        case stepNotice = "incident.step_notice"
        case stepReminder = "incident.step_reminder"
        case stepOverdue = "incident.step_overdue"
        /// The periodic handling-status report (Art. 16).
        case statusReport = "status.report"
    }

    /// The message id (`webhook-id`): `msg_<installation>_<case>_<sequence>_<endpoint>`, no `.`
    /// (Standard Webhooks). Stable across retries, and unique among every contractor's messages:
    /// the installation id is random, generated when the database is created, so two contractors
    /// (or one after a reinstall) who both number their cases from `INC-<year>-0001` never send
    /// the same id.
    public static func id(installation: String, caseID: String, sequence: Int, endpoint: String) -> String {
        // `.` is one byte in UTF-8 and never part of another character: replaced byte by byte.
        String(decoding: "msg_\(installation)_\(caseID)_\(sequence)_\(endpoint)".utf8.map { $0 == 0x2E ? 0x2D : $0 }, as: UTF8.self)
    }

    /// The payload with `data.installation` set: every message says which installation sent it.
    public static func stamped(_ payload: JSONValue, installation: String) -> JSONValue {
        guard case .object(var o) = payload, case .object(var data)? = o["data"] else { return payload }
        data["installation"] = .string(installation)
        o["data"] = .object(data)
        return .object(o)
    }

    /// Builds the payload for a case at the moment of an event.
    public static func payload(
        kind: Kind, case c: Case, sequence: Int, chainSeq: Int64, chainHash: String,
        at: String, changes: [String: JSONValue]? = nil
    ) -> JSONValue {
        payload(
            type: kind.rawValue, case: c, sequence: sequence, chainSeq: chainSeq, chainHash: chainHash, at: at,
            extra: changes.map { ["changes": .object($0)] } ?? [:])
    }

    /// The payload for any message type: the case's facts plus `extra` members of `data`
    /// (`changes` for updates, `step` for playbook messages).
    public static func payload(
        type: String, case c: Case, sequence: Int, chainSeq: Int64, chainHash: String,
        at: String, extra: [String: JSONValue]
    ) -> JSONValue {
        let r = c.report
        var data: [String: JSONValue] = [
            "case_id": .string(c.id),
            "sequence": .int(Int64(sequence)),
            "state": .string(c.state.rawValue),
            "kind": .string(r.kind.rawValue),
            "kind_ja": .string(r.kind.japanese),
            "suspected": .bool(r.suspected),
            "information": .string(r.information),
            "count": .optional(r.count),
            "count_precision": .optional(r.countPrecision?.rawValue),
            "location": .string(r.location),
            "circumstances": .string(r.circumstances),
            "occurred_at": .optional(r.occurredAt),
            "discovered_at": .optional(r.discoveredAt),
            "reported_at": .string(c.reportedAt),
            "subcontractor": .optional(r.subcontractor),
            "reporter_contact": r.reporter?.json ?? .null,
            "missing": .array(c.missing.map { .string($0) }),
            "audit": ["seq": .int(chainSeq), "hash": .string(chainHash), "opening_hash": .string(c.openingHash)],
        ]
        data["resolution"] = .optional(c.resolution?.rawValue)
        data["appi"] = c.appi.json
        data["instructions_open"] = .int(Int64(c.instructions.filter(\.isOpen).count))
        if let p = c.publication { data["publication"] = p.json }
        if let unit = r.countUnit { data["count_unit"] = .string(unit.text) }
        if !c.ledgerEntries.isEmpty { data["ledger_entries"] = .array(c.ledgerEntries) }
        if !c.fromLedger.isEmpty { data["from_ledger"] = .array(c.fromLedger.map { .string($0) }) }
        for (k, v) in extra { data[k] = v }
        return ["type": .string(type), "timestamp": .string(at), "data": .object(data)]
    }
}
