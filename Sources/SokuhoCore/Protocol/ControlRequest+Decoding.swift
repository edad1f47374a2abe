import Foundation

/// Requests as the daemon reads them off the wire: the same types the CLI builds, so a member is
/// named once for both sides. Decoding checks each member's JSON type, the required members, the
/// text rules and the form of ids and times, with errors that name the member; a handler gets
/// typed values. What a name means to another module (an outbox or spool state) is checked where
/// that type lives, with `FieldReader.enumValue`.
extension ControlOperation {
    /// The request of this op decoded from its members: the one table from an op to its request
    /// type, for code that needs any request (the tests' round trip, the fuzzer). The desk routes
    /// each type to its handler with the same initialisers (`CaseDesk.route`).
    public func decode(_ o: [String: JSONValue]) throws(ValidationError) -> any ControlRequest {
        switch self {
        case .status: PlainRequest(.status)
        case .playbookList: PlainRequest(.playbookList)
        case .report: try ReportRequest(decoding: o)
        case .caseGet: try CaseRequest(.caseGet, decoding: o)
        case .caseSteps: try CaseRequest(.caseSteps, decoding: o)
        case .caseGates: try CaseRequest(.caseGates, decoding: o)
        case .caseReport: try CaseRequest(.caseReport, decoding: o)
        case .caseList: try CaseListRequest(decoding: o)
        case .caseUpdate: try CaseUpdateRequest(decoding: o)
        case .outboxList: try OutboxListRequest(decoding: o)
        case .outboxRetry: try OutboxRetryRequest(decoding: o)
        case .spoolList: try SpoolListRequest(decoding: o)
        case .stepDone, .stepSkip: try StepRequest(skip: self == .stepSkip, decoding: o)
        case .caseTransition: try TransitionRequest(decoding: o)
        case .instructionAdd: try InstructionAddRequest(decoding: o)
        case .instructionDone: try InstructionDoneRequest(decoding: o)
        case .casePublication: try PublicationRequest(decoding: o)
        case .caseSubmit: try SubmitRequest(decoding: o)
        case .statusReport: try StatusReportRequest(decoding: o)
        case .ledgerAdd, .ledgerList, .ledgerGet, .ledgerUpdate, .ledgerSubmit, .ledgerTakeOut, .ledgerApprove, .ledgerReturn,
            .ledgerWithdraw, .disposalApply, .disposalDone:
            try LedgerRequest(ledger: self, decoding: o)
        }
    }
}

extension CaseRequest {
    /// An op that takes only a case id.
    public init(_ kind: Operation, decoding o: [String: JSONValue]) throws(ValidationError) {
        self.init(kind, id: try FieldReader(object: o).caseID())
    }
}

extension ReportRequest {
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let report = try FieldReader(object: o).document(
            "report", missing: "report is required: {\"op\":\"report\",\"report\":{…}}", ja: "report は必須です"
        ) { v throws(ValidationError) in _ = try Report.validate(v) }
        self.init(report: report)
    }
}

extension CaseListRequest {
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        self.init(
            kind: try r.optionalName("kind"), state: try r.optionalName("state"),
            limit: try r.optionalInt("limit", in: 1...10_000).map { Int($0) }, mine: try r.optionalBool("mine") ?? false)
    }
}

extension CaseUpdateRequest {
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        let id = try r.caseID()
        let fields = try r.document(
            "fields", missing: "fields is required: the report fields to complete or correct", ja: "fields（変更する項目）は必須です"
        ) { v throws(ValidationError) in _ = try CaseUpdate.request(v) }
        self.init(id: id, fields: fields)
    }
}

extension OutboxListRequest {
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        self.init(
            caseID: o["case_id"] == nil ? nil : try r.caseID("case_id"), state: try r.optionalName("state"),
            limit: try r.optionalInt("limit", in: 1...10_000).map { Int($0) })
    }
}

extension OutboxRetryRequest {
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        self.init(messageID: try r.optionalLine("message_id", maxLength: 200), endpoint: try r.optionalLine("endpoint", maxLength: 200))
    }
}

extension SpoolListRequest {
    /// `states` absent: `nil` (the handler's default set); each state a name, checked by the spool.
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        var names: [String]?
        if let v = o["states"] {
            guard case .array(let list) = v else {
                throw ValidationError(
                    .wrongType, field: "states", "states must be a list such as [\"waiting\", \"rejected\"], not \(v.typeName)",
                    ja: "states はリストで指定してください")
            }
            names = []
            for item in list {
                guard let name = item.stringValue else {
                    throw ValidationError(
                        .invalidValue, field: "states",
                        "states may hold names such as \"waiting\", not \(TerminalSafe.quoted(item.canonicalString))",
                        ja: "states に指定できるのは状態の名前です")
                }
                names?.append(name)
            }
        }
        self.init(states: names, limit: try FieldReader(object: o).optionalInt("limit", in: 1...10_000).map { Int($0) })
    }
}

extension StepRequest {
    /// A step id is one line of at most this many bytes.
    public static let maxStepLength = 200

    /// `step.done` (`skip` false) or `step.skip`, which needs a reason.
    public init(skip: Bool, decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        let id = try r.caseID()
        guard let step = try r.optionalLine("step", maxLength: Self.maxStepLength) else {
            throw ValidationError(
                .missingField, field: "step", "step is required (a step id; see sokuho steps \(id))", ja: "step（手順のID）は必須です")
        }
        let text = try r.optionalText(skip ? "reason" : "note")
        if skip && text == nil {
            throw ValidationError(
                .missingField, field: "reason", "reason is required: say why the step is skipped", ja: "reason（省略する理由）は必須です")
        }
        self.init(id: id, step: step, text: text, skip: skip)
    }
}

extension TransitionRequest {
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        let id = try r.caseID()
        guard let to = try r.optionalName("to") else {
            throw ValidationError(.missingField, field: "to", "to is required: contained, resolved, closed or open", ja: "to（移行先の状態）は必須です")
        }
        self.init(id: id, to: to, reason: try r.optionalText("reason"), resolution: try r.optionalName("resolution"))
    }
}

extension InstructionAddRequest {
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        let id = try r.caseID()
        let text = try r.requiredText("text", missing: "text is required: what the city instructed", ja: "text（指示の内容）は必須です")
        let from = try r.requiredText("from", missing: "from is required: who at the city gave the instruction", ja: "from（指示した人・部署）は必須です")
        let issued = try r.optionalText("issued_at")
        if let issued, Timestamp(rfc3339: issued) == nil {
            throw ValidationError(
                .invalidValue, field: "issued_at", "issued_at must be an RFC 3339 time such as 2026-11-26T10:00:00+09:00",
                ja: "issued_at は RFC 3339 の日時で指定してください")
        }
        self.init(id: id, text: text, from: from, issuedAt: issued)
    }
}

extension InstructionDoneRequest {
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        let id = try r.caseID()
        guard let instruction = try r.optionalLine("instruction", maxLength: 64) else {
            throw ValidationError(
                .missingField, field: "instruction", "instruction is required (I-1, I-2, …; see sokuho instruction list \(id))",
                ja: "instruction（指示の番号）は必須です")
        }
        let response = try r.requiredText("response", missing: "response is required: what was done", ja: "response（対応内容）は必須です")
        self.init(id: id, instruction: instruction, response: response)
    }
}

extension PublicationRequest {
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let id = try FieldReader(object: o).caseID()
        var rest = o
        rest.removeValue(forKey: "id")
        rest.removeValue(forKey: "op")
        let d = try Publication.request(rest)
        self.init(id: id, decision: d.decision.rawValue, date: d.date, url: d.url, note: d.note)
    }

    /// The decision as recorded, when `decision` is one (always, once decoded).
    public var decided: PublicationDecision? {
        Publication.Decision(rawValue: decision).map { PublicationDecision(decision: $0, date: date, url: url, note: note) }
    }
}

extension SubmitRequest {
    /// The reports that can be submitted: 速報 and 確報.
    public static let kinds = ["preliminary", "confirmed"]

    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        let id = try r.caseID()
        guard let report = try r.optionalText("report"), Self.kinds.contains(report) else {
            throw ValidationError(
                .invalidValue, field: "report", "report must be preliminary or confirmed", ja: "report は preliminary（速報）か confirmed（確報）です")
        }
        self.init(id: id, report: report)
    }
}

extension StatusReportRequest {
    /// `from` and `to` are read as RFC 3339 times (or dates) and kept in the record's form
    /// (`Timestamp.format`), `to` after `from`.
    public init(decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        guard let from = try r.optionalText("from"), let f = Timestamp(rfc3339: from) else {
            throw ValidationError(.missingField, field: "from", "from is required: a date such as 2026-11-01", ja: "from（期間の開始日）は必須です")
        }
        guard let to = try r.optionalText("to"), let t = Timestamp(rfc3339: to), t.epochSeconds > f.epochSeconds else {
            throw ValidationError(
                .invalidValue, field: "to", "to is required and must come after from", ja: "to（期間の終了日）は from より後の日付で指定してください")
        }
        self.init(
            from: Timestamp.format(Date(timeIntervalSince1970: f.epochSeconds)),
            to: Timestamp.format(Date(timeIntervalSince1970: t.epochSeconds)))
    }
}

extension FieldReader {
    /// A name (an enum's raw value) as sent: a string, not trimmed, checked against its type by
    /// `enumValue` where that type lives.
    public func optionalName(_ key: String) throws(ValidationError) -> String? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, expected: "a string", got: v) }
        return s
    }
}
