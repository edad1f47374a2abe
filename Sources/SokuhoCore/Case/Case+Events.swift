/// Applying events to cases: the one place where a case changes.
extension Case {
    /// The event data that opens a case.
    public static func openingData(report: Report, reportedBy: PeerIdentity, source: ReportSource) -> JSONValue {
        var o: [String: JSONValue] = ["report": report.json, "reported_by": reportedBy.json, "channel": .string(source.channel)]
        if source != .socket { o["source"] = source.json }
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
        var c = Case(id: id, state: .open, report: report, reportedAt: at, reportedBy: peer, openingHash: hash,
                     updatedAt: at, version: 1)
        c.source = ReportSource(openingData: data)
        return c
    }

    /// Applies a later event to this case.
    public mutating func apply(type: String, at: String, data: JSONValue) throws(CaseError) {
        switch EventType(rawValue: type) {
        case .caseUpdated:
            guard let changes = data["changes"]?.objectValue, case .object(var fields) = report.json else {
                throw CaseError.malformedEvent(caseID: id, type: type, reason: "missing changes")
            }
            for (key, change) in changes {
                fields[key] = change["to"] ?? .null
            }
            do { report = try Report.validate(.object(fields), stored: true) } catch {
                throw CaseError.malformedEvent(caseID: id, type: type, reason: error.message)
            }
        case .caseOpened:
            throw CaseError.malformedEvent(caseID: id, type: type, reason: "a case cannot be opened twice")
        case .playbookAssigned:
            guard let pid = data["playbook"]?.stringValue, let hash = data["hash"]?.stringValue,
                let title = data["title"], let ja = title["ja"]?.stringValue, let en = title["en"]?.stringValue
            else { throw CaseError.malformedEvent(caseID: id, type: type, reason: "missing playbook, hash or title") }
            playbook = PlaybookRef(id: pid, hash: hash, title: LocalizedText(ja: ja, en: en), assignedAt: at)
        case .stepDone, .stepSkipped, .stepReminded:
            guard let step = data["step"]?.stringValue else { throw CaseError.malformedEvent(caseID: id, type: type, reason: "missing step") }
            var r = steps[step] ?? StepRecord()
            if type == EventType.stepReminded.rawValue {
                r.remindedAt = at
                r.reminders += 1
            } else {
                r.outcome = type == EventType.stepDone.rawValue ? .done : .skipped
                r.at = at
                r.by = data["by"] ?? .null
                r.note = (data["note"] ?? data["reason"])?.stringValue
                r.auto = data["auto"]?.boolValue ?? false
            }
            steps[step] = r
        case .caseTransitioned, .instructionAdded, .instructionDone, .appiUpdated, .publicationDecided, .reportSubmitted, .clockMissed:
            try applyLifecycle(type: EventType(rawValue: type)!, at: at, data: data)
        case .accessDenied, .spoolRejected, .statusReportSent, .none:
            // Not a change to the case: neither its version nor its time moves (a refusal once
            // recorded with the case's id must not make the replay differ from the stored case).
            return
        }
        updatedAt = at
        version += 1
    }

    /// Replays a case from its events, oldest first.
    public static func replay(_ events: [StoredEvent]) throws(CaseError) -> Case {
        guard let first = events.first, first.type == EventType.caseOpened.rawValue, let id = first.caseID else {
            throw CaseError.malformedEvent(caseID: events.first?.caseID ?? "?", type: events.first?.type ?? "none",
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
