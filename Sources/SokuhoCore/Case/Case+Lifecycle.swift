/// Applying the lifecycle's events: state, instructions, APPI items, publication, reports, clocks.
extension Case {
    mutating func applyLifecycle(type: EventType, at: String, data: JSONValue) throws(CaseError) {
        func bad(_ reason: String) -> CaseError { .malformedEvent(caseID: id, type: type.rawValue, reason: reason) }
        switch type {
        case .caseTransitioned:
            guard let to = data["to"]?.stringValue.flatMap(CaseState.init(rawValue:)) else { throw bad("missing to") }
            state = to
            switch to {
            case .resolved: resolution = data["resolution"]?.stringValue.flatMap(Resolution.init(rawValue:)) ?? .incident
            case .closed: closedAt = at
            case .open: resolution = nil; closedAt = nil
            case .contained: break
            }
        case .instructionAdded:
            guard let iid = data["instruction"]?.stringValue, let text = data["text"]?.stringValue else { throw bad("missing instruction or text") }
            instructions.append(Instruction(
                id: iid, issuedAt: data["issued_at"]?.stringValue ?? at, from: data["from"]?.stringValue ?? "", text: text,
                source: data["source"]?.stringValue ?? "manual", externalID: data["external_id"]?.stringValue, recordedAt: at))
        case .instructionDone:
            guard let iid = data["instruction"]?.stringValue, let i = instructions.firstIndex(where: { $0.id == iid }) else { throw bad("unknown instruction") }
            instructions[i].response = data["response"]?.stringValue
            instructions[i].doneAt = at
            instructions[i].doneBy = data["by"] ?? .null
        case .appiUpdated:
            guard let changes = data["changes"]?.objectValue, case .object(var fields) = appi.json else { throw bad("missing changes") }
            for (k, change) in changes { fields[k] = change["to"] ?? .null }
            do { appi = try AppiItems.validate(.object(fields), stored: true) } catch { throw bad(error.message) }
        case .publicationDecided:
            guard let d = data["decision"]?.stringValue.flatMap(Publication.Decision.init(rawValue:)) else { throw bad("missing decision") }
            publication = Publication(decision: d, date: data["date"]?.stringValue, url: data["url"]?.stringValue, note: data["note"]?.stringValue, decidedAt: at)
        case .reportSubmitted:
            guard let r = data["report"]?.stringValue else { throw bad("missing report") }
            submitted[r] = at
        case .clockMissed:
            guard let c = data["clock"]?.stringValue else { throw bad("missing clock") }
            clocksMissed.insert(c)
        default:
            break
        }
    }
}
