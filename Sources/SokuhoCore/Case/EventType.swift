/// The types of events in the audit chain. A contract: stored forever, never renamed.
public enum EventType: String, Sendable, CaseIterable {
    /// A case was opened from a report. Data: `{"report": {…}, "reported_by": {uid,gid,pid,user}, "channel": "socket"}`.
    case caseOpened = "case.opened"
    /// Article 18 fields were completed or corrected. Data: `{"changes": {field: {"from": v, "to": v}}}`.
    case caseUpdated = "case.updated"
    /// A request was refused for lack of a role. Data: `{"op": …, "case_id"?: …, "reason": …}`.
    case accessDenied = "access.denied"
    /// A file dropped in the spool could not become a case and was set aside in `rejected/`.
    /// Data: `{"file", "sha256"?, "size"?, "owner": {uid,gid,user}, "code", "field"?, "message", "message_ja", "moved_to"}`.
    case spoolRejected = "spool.rejected"
    /// A playbook was given to a case (at opening). Data: `{"playbook", "hash", "title": {ja, en}}`;
    /// the playbook itself is stored by its hash, so the case keeps this version.
    case playbookAssigned = "playbook.assigned"
    /// A step was done: by a lead (`sokuho step done`) or by the daemon (auto steps).
    /// Data: `{"step", "note"?, "auto": bool, "by": {uid, user}, "action"?}`.
    case stepDone = "step.done"
    /// A step was skipped by a lead. Data: `{"step", "reason", "by": {uid, user}}`.
    case stepSkipped = "step.skipped"
    /// An overdue step was reminded about. Data: `{"step", "due_at", "overdue_seconds"}`.
    case stepReminded = "step.reminded"
    /// The case changed state. Data: `{"from", "to", "reason"?, "resolution"?}`.
    case caseTransitioned = "case.transitioned"
    /// An instruction from the city was recorded. Data: `{"instruction", "issued_at", "from", "text", "source", "external_id"?}`.
    case instructionAdded = "instruction.added"
    /// An instruction was carried out. Data: `{"instruction", "response", "by"}`.
    case instructionDone = "instruction.done"
    /// APPI items or triggers were completed or corrected. Data: `{"changes": {field: {from, to}}}`.
    case appiUpdated = "appi.updated"
    /// The city's publication decision. Data: `{"decision", "date"?, "url"?, "note"?}`.
    case publicationDecided = "publication.decided"
    /// A preliminary or confirmed report was sent to the city. Data: `{"report": "preliminary"|"confirmed"}`.
    case reportSubmitted = "report.submitted"
    /// A deadline passed unmet; an alarm was raised. Data: `{"clock", "due_at"}`.
    case clockMissed = "clock.missed"
    /// The periodic handling-status report (Art. 16) was queued for the city. Data: `{"from", "to", "cases"}`.
    case statusReportSent = "status_report.sent"
    // The ledger (docs/ledger.md). Stored under the entry's id (`L-0001`) in `case_id`.
    /// A ledger entry was added. Data: `{"entry": {fields}}`.
    case ledgerAdded = "ledger.added"
    /// Its members changed, or it was handed back (`state: returned`). Data: `{"changes": {…}}`.
    case ledgerUpdated = "ledger.updated"
    /// A take-out was applied for (Art. 12). Data: `{"request", "purpose", "until", "encrypted", "by"}`.
    case takeOutRequested = "ledger.takeout_requested"
    /// The city approved a take-out. Data: `{"request", "approved_at", "by", "source", "approval_id"?}`.
    case takeOutApproved = "ledger.takeout_approved"
    /// What was taken out came back. Data: `{"request", "note"?}`.
    case takeOutReturned = "ledger.takeout_returned"
    /// A disposal was applied for (Art. 15). Data: `{"request", "method", "medium", "quantity", "planned", "by"}`.
    case disposalRequested = "disposal.requested"
    /// The city approved a disposal. Data as `ledger.takeout_approved`.
    case disposalApproved = "disposal.approved"
    /// The disposal was done. Data: `{"request", "at", "by", "witness"?}`.
    case disposalCompleted = "disposal.completed"
    /// A take-out or disposal application was withdrawn (or refused by the city). Data: `{"request", "reason"}`.
    case requestWithdrawn = "ledger.request_withdrawn"
    /// The whole ledger was sent to the city (Art. 10(3)). Data: `{"entries"}`; belongs to no entry.
    case ledgerSubmitted = "ledger.submitted"

    /// The types of ledger events (kept under an entry's id).
    public var isLedger: Bool { rawValue.hasPrefix("ledger.") && self != .ledgerSubmitted || rawValue.hasPrefix("disposal.") }
}

/// Who caused an event: the kernel-verified peer and the role it acted in.
public struct EventActor: Sendable, Hashable {
    public var peer: PeerIdentity
    public var role: Role?
    /// How the request arrived: `socket`, `spool`, `cli`.
    public var channel: String

    public init(peer: PeerIdentity, role: Role?, channel: String) { (self.peer, self.role, self.channel) = (peer, role, channel) }

    /// Who did a step or carried out an instruction, as its event records it: `{uid, user}`.
    public var by: JSONValue { ["uid": .int(Int64(peer.uid)), "user": .optional(peer.user)] }

    public var json: JSONValue {
        [
            "uid": .int(Int64(peer.uid)), "gid": .int(Int64(peer.gid)), "pid": .int(Int64(peer.pid)),
            "user": .optional(peer.user), "role": .optional(role?.rawValue), "channel": .string(channel),
        ]
    }
}
