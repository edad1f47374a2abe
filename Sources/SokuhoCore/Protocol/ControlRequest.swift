/// A request of the control protocol as a typed value: the op comes from `ControlOperation`, the
/// members are properties. The CLI and the benchmark build requests only through these types, so an
/// op name is written once (in `ControlOperation`) and a member name once (here, and in the op
/// table's `members`, which a test checks against these types).
public protocol ControlRequest: Sendable {
    /// The op this request runs.
    var operation: ControlOperation { get }
    /// The members besides `op`; `nil` values are left out of the wire form.
    var members: [String: JSONValue?] { get }
}

extension ControlRequest {
    /// The wire form: one JSON object with `op` and the members that have a value.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["op": .string(operation.rawValue)]
        for (k, v) in members { if let v { o[k] = v } }
        return .object(o)
    }
}

/// An op that takes no members: `status`, `playbook.list`.
public struct PlainRequest: ControlRequest {
    /// The ops that take no members (so no other op can be sent without its members).
    public enum Operation: Sendable {
        case status, playbookList
    }
    let kind: Operation
    public init(_ kind: Operation) { self.kind = kind }
    public var operation: ControlOperation {
        switch kind {
        case .status: .status
        case .playbookList: .playbookList
        }
    }
    public var members: [String: JSONValue?] { [:] }
}

/// An op on one case that takes only its id: `case.get`, `case.steps`, `case.gates`, `case.report`.
public struct CaseRequest: ControlRequest {
    /// The ops that take only a case id.
    public enum Operation: Sendable {
        case caseGet, caseSteps, caseGates, caseReport
    }
    let kind: Operation
    public var id: String
    public init(_ kind: Operation, id: String) { (self.kind, self.id) = (kind, id) }
    public var operation: ControlOperation {
        switch kind {
        case .caseGet: .caseGet
        case .caseSteps: .caseSteps
        case .caseGates: .caseGates
        case .caseReport: .caseReport
        }
    }
    public var members: [String: JSONValue?] { ["id": .string(id)] }
}

/// `report`: a new report (the fields of the report format, `docs/report-format.md`).
public struct ReportRequest: ControlRequest {
    public var report: [String: JSONValue]
    public init(report: [String: JSONValue]) { self.report = report }
    public var operation: ControlOperation { .report }
    public var members: [String: JSONValue?] { ["report": .object(report)] }
}

/// `case.list`: cases, newest first, filtered.
public struct CaseListRequest: ControlRequest {
    public var kind: String?
    public var state: String?
    public var limit: Int?
    public var mine = false
    public init(kind: String? = nil, state: String? = nil, limit: Int? = nil, mine: Bool = false) {
        (self.kind, self.state, self.limit, self.mine) = (kind, state, limit, mine)
    }
    public var operation: ControlOperation { .caseList }
    public var members: [String: JSONValue?] {
        [
            "kind": kind.map(JSONValue.string), "state": state.map(JSONValue.string), "limit": limit.map { .int(Int64($0)) },
            "mine": mine ? true : nil,
        ]
    }
}

/// `case.update`: Article 18 fields to complete or correct.
public struct CaseUpdateRequest: ControlRequest {
    public var id: String
    public var fields: [String: JSONValue]
    public init(id: String, fields: [String: JSONValue]) { (self.id, self.fields) = (id, fields) }
    public var operation: ControlOperation { .caseUpdate }
    public var members: [String: JSONValue?] { ["id": .string(id), "fields": .object(fields)] }
}

/// `outbox.list`: escalation messages, newest first.
public struct OutboxListRequest: ControlRequest {
    public var caseID: String?
    public var state: String?
    public var limit: Int?
    public init(caseID: String? = nil, state: String? = nil, limit: Int? = nil) {
        (self.caseID, self.state, self.limit) = (caseID, state, limit)
    }
    public var operation: ControlOperation { .outboxList }
    public var members: [String: JSONValue?] {
        ["case_id": caseID.map(JSONValue.string), "state": state.map(JSONValue.string), "limit": limit.map { .int(Int64($0)) }]
    }
}

/// `outbox.retry`: re-queue one message or every dead message of an endpoint.
public struct OutboxRetryRequest: ControlRequest {
    public var messageID: String?
    public var endpoint: String?
    public init(messageID: String?, endpoint: String?) { (self.messageID, self.endpoint) = (messageID, endpoint) }
    public var operation: ControlOperation { .outboxRetry }
    public var members: [String: JSONValue?] {
        ["message_id": messageID.map(JSONValue.string), "endpoint": endpoint.map(JSONValue.string)]
    }
}

/// `spool.list`: files in the spool in the given states.
public struct SpoolListRequest: ControlRequest {
    /// The states to list; `nil`: the daemon's default (writing, waiting, rejected).
    public var states: [String]?
    /// At most this many; `nil`: the daemon's default (200).
    public var limit: Int?
    public init(states: [String]?, limit: Int?) { (self.states, self.limit) = (states, limit) }
    public var operation: ControlOperation { .spoolList }
    public var members: [String: JSONValue?] {
        ["states": states.map { .array($0.map(JSONValue.string)) }, "limit": limit.map { .int(Int64($0)) }]
    }
}

/// `step.done` (with an optional note) or `step.skip` (with a reason).
public struct StepRequest: ControlRequest {
    public var id: String
    public var step: String
    /// The note of `step.done` or the reason of `step.skip`.
    public var text: String?
    public let skip: Bool
    public static func done(id: String, step: String, note: String?) -> StepRequest {
        StepRequest(id: id, step: step, text: note, skip: false)
    }
    public static func skip(id: String, step: String, reason: String) -> StepRequest {
        StepRequest(id: id, step: step, text: reason, skip: true)
    }
    public var operation: ControlOperation { skip ? .stepSkip : .stepDone }
    public var members: [String: JSONValue?] {
        ["id": .string(id), "step": .string(step), (skip ? "reason" : "note"): text.map(JSONValue.string)]
    }
}

/// `case.transition`: contain, resolve, close or reopen.
public struct TransitionRequest: ControlRequest {
    public var id: String
    public var to: String
    public var reason: String?
    public var resolution: String?
    public init(id: String, to: String, reason: String? = nil, resolution: String? = nil) {
        (self.id, self.to, self.reason, self.resolution) = (id, to, reason, resolution)
    }
    public var operation: ControlOperation { .caseTransition }
    public var members: [String: JSONValue?] {
        ["id": .string(id), "to": .string(to), "reason": reason.map(JSONValue.string), "resolution": resolution.map(JSONValue.string)]
    }
}

/// `instruction.add`: an instruction from the city, recorded.
public struct InstructionAddRequest: ControlRequest {
    public var id: String
    public var text: String
    public var from: String
    public var issuedAt: String?
    public init(id: String, text: String, from: String, issuedAt: String?) {
        (self.id, self.text, self.from, self.issuedAt) = (id, text, from, issuedAt)
    }
    public var operation: ControlOperation { .instructionAdd }
    public var members: [String: JSONValue?] {
        ["id": .string(id), "text": .string(text), "from": .string(from), "issued_at": issuedAt.map(JSONValue.string)]
    }
}

/// `instruction.done`: an instruction carried out, with what was done.
public struct InstructionDoneRequest: ControlRequest {
    public var id: String
    public var instruction: String
    public var response: String
    public init(id: String, instruction: String, response: String) {
        (self.id, self.instruction, self.response) = (id, instruction, response)
    }
    public var operation: ControlOperation { .instructionDone }
    public var members: [String: JSONValue?] { ["id": .string(id), "instruction": .string(instruction), "response": .string(response)] }
}

/// `case.publication`: the city's publication decision, as recorded by a lead.
public struct PublicationRequest: ControlRequest {
    public var id: String
    public var decision: String
    public var date: String?
    public var url: String?
    public var note: String?
    public init(id: String, decision: String, date: String?, url: String?, note: String?) {
        (self.id, self.decision, self.date, self.url, self.note) = (id, decision, date, url, note)
    }
    public var operation: ControlOperation { .casePublication }
    public var members: [String: JSONValue?] {
        [
            "id": .string(id), "decision": .string(decision), "date": date.map(JSONValue.string), "url": url.map(JSONValue.string),
            "note": note.map(JSONValue.string),
        ]
    }
}

/// `case.submit`: a preliminary or confirmed report sent to the city.
public struct SubmitRequest: ControlRequest {
    public var id: String
    public var report: String
    public init(id: String, report: String) { (self.id, self.report) = (id, report) }
    public var operation: ControlOperation { .caseSubmit }
    public var members: [String: JSONValue?] { ["id": .string(id), "report": .string(report)] }
}

/// `status.report`: the handling-status report (Art. 16) for a period.
public struct StatusReportRequest: ControlRequest {
    public var from: String
    public var to: String
    public init(from: String, to: String) { (self.from, self.to) = (from, to) }
    public var operation: ControlOperation { .statusReport }
    public var members: [String: JSONValue?] { ["from": .string(from), "to": .string(to)] }
}
