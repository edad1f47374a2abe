/// Applying events to cases: the one place where a case changes.
extension Case {
    /// The event data that opens a case.
    public static func openingData(
        report: Report, reportedBy: PeerIdentity, source: ReportSource, ledger: [JSONValue] = [], fromLedger: [String] = []
    ) -> JSONValue {
        var o: [String: JSONValue] = ["report": report.json, "reported_by": reportedBy.json, "channel": .string(source.channel)]
        if source != .socket { o["source"] = source.json }
        if !ledger.isEmpty { o["ledger"] = .array(ledger) }
        if !fromLedger.isEmpty { o["from_ledger"] = .array(fromLedger.map { .string($0) }) }
        return .object(o)
    }

    /// Builds a case from its `case.opened` event.
    public static func opened(id: String, at: String, data: JSONValue, hash: String) throws(CaseError) -> Case {
        guard let reportJSON = data["report"], let peerJSON = data["reported_by"], let peer = PeerIdentity(json: peerJSON) else {
            throw CaseError.malformedEvent(caseID: id, type: EventType.caseOpened.rawValue, reason: "missing report or reported_by")
        }
        let report: Report
        do { report = try Report.validate(reportJSON, stored: true) } catch {
            throw CaseError.malformedEvent(caseID: id, type: EventType.caseOpened.rawValue, reason: error.message)
        }
        var c = Case(
            id: id, state: .open, report: report, reportedAt: at, reportedBy: peer, openingHash: hash,
            updatedAt: at, version: 1)
        c.source = ReportSource(openingData: data)
        c.ledgerEntries = data["ledger"]?.arrayValue ?? []
        c.fromLedger = (data["from_ledger"]?.arrayValue ?? []).compactMap(\.stringValue)
        return c
    }

    /// Applies a later event to this case. Events that change no case (refusals, spool
    /// rejections, status reports) leave it as it is: neither its version nor its time moves (a
    /// refusal once recorded with the case's id must not make the replay differ from the stored case).
    public mutating func apply(type: String, at: String, data: JSONValue) throws(CaseError) {
        guard let eventType = EventType(rawValue: type) else { return }
        if eventType == .caseOpened { throw CaseError.malformedEvent(caseID: id, type: type, reason: "a case cannot be opened twice") }
        let event: CaseEvent?
        do { event = try CaseEvent(type: eventType, data: data) } catch {
            throw CaseError.malformedEvent(caseID: id, type: type, reason: error.reason)
        }
        guard let event else { return }
        try apply(event, at: at)
    }

    /// Applies a typed event: the one place where a case changes.
    public mutating func apply(_ event: CaseEvent, at: String) throws(CaseError) {
        func bad(_ reason: String) -> CaseError { .malformedEvent(caseID: id, type: event.type.rawValue, reason: reason) }
        switch event {
        case .updated(let p):
            guard case .object(var fields) = report.json else { throw bad("missing changes") }
            for (key, value) in p.newValues { fields[key] = value }
            do { report = try Report.validate(.object(fields), stored: true) } catch { throw bad(error.message) }
        case .playbookAssigned(let p):
            playbook = PlaybookRef(id: p.playbook, hash: p.hash, title: p.title, assignedAt: at)
        case .stepDone(let p):
            steps[p.step, default: StepRecord()].record(.done, at: at, by: p.by, note: p.note, auto: p.auto)
        case .stepSkipped(let p):
            steps[p.step, default: StepRecord()].record(.skipped, at: at, by: p.by, note: p.reason, auto: false)
        case .stepReminded(let p):
            steps[p.step, default: StepRecord()].remindedAt = at
            steps[p.step, default: StepRecord()].reminders += 1
        case .transitioned, .instructionAdded, .instructionDone, .appiUpdated, .publicationDecided, .reportSubmitted, .clockMissed:
            try applyLifecycle(event, at: at)
        }
        updatedAt = at
        version += 1
    }

    /// Replays a case from its events, oldest first.
    public static func replay(_ events: [StoredEvent]) throws(CaseError) -> Case {
        guard let first = events.first, first.type == EventType.caseOpened.rawValue, let id = first.caseID else {
            throw CaseError.malformedEvent(
                caseID: events.first?.caseID ?? "?", type: events.first?.type ?? "none",
                reason: "the first event of a case must be case.opened")
        }
        var c = try Case.opened(id: id, at: first.at, data: first.data, hash: first.hash)
        for e in events.dropFirst() { try c.apply(type: e.type, at: e.at, data: e.data) }
        return c
    }
}

/// Errors of the core's case model.
public enum CaseError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedEvent(caseID: String, type: String, reason: String)

    public var description: String {
        switch self {
        case .malformedEvent(let id, let type, let reason): "event \(type) of case \(id) is malformed: \(reason)"
        }
    }
}
