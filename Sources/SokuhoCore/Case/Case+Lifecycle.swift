/// Applying the lifecycle's events: state, instructions, APPI items, publication, reports, clocks.
extension Case {
    mutating func applyLifecycle(_ event: CaseEvent, at: String) throws(CaseError) {
        func bad(_ reason: String) -> CaseError { .malformedEvent(caseID: id, type: event.type.rawValue, reason: reason) }
        switch event {
        case .transitioned(let t):
            state = t.to
            switch t.to {
            case .resolved: resolution = t.resolution ?? .incident
            case .closed: closedAt = at
            case .open: resolution = nil; closedAt = nil
            case .contained: break
            }
        case .instructionAdded(let i):
            instructions.append(
                Instruction(
                    id: i.instruction, issuedAt: i.issuedAt ?? at, from: i.from, text: i.text, source: i.source, externalID: i.externalID,
                    recordedAt: at))
        case .instructionDone(let d):
            guard let i = instructions.firstIndex(where: { $0.id == d.instruction }) else { throw bad("unknown instruction") }
            instructions[i].response = d.response
            instructions[i].doneAt = at
            instructions[i].doneBy = d.by
        case .appiUpdated(let p):
            guard case .object(var fields) = appi.json else { throw bad("missing changes") }
            for (k, v) in p.newValues { fields[k] = v }
            do { appi = try AppiItems.validate(.object(fields), stored: true) } catch { throw bad(error.message) }
        case .publicationDecided(let p):
            publication = Publication(
                decision: p.decision, date: p.date, url: p.url, note: p.note, decidedAt: at, source: p.source, externalID: p.externalID)
        case .reportSubmitted(let r):
            submitted[r.report] = at
        case .clockMissed(let c):
            clocksMissed.insert(c.clock)
        case .updated, .playbookAssigned, .stepDone, .stepSkipped, .stepReminded:
            break
        }
    }
}

extension Case {
    /// The national-report assessment (`AppiItems.nationalReport`), with the ledger: a report
    /// naming an entry of specific personal information (特定個人情報, My Number) makes a report
    /// likely, unless the data was strongly encrypted.
    public func nationalReport(threshold: Int64) -> (likely: Bool?, reasons: [String]) {
        let a = appi.nationalReport(threshold: threshold)
        let specific = ledgerEntries.filter { $0["category"]?.stringValue == LedgerCategory.specific_personal.rawValue }
            .compactMap { $0["id"]?.stringValue }
        guard !specific.isEmpty, appi.encrypted != true else { return a }
        let reason = "specific personal information (特定個人情報) in ledger \(specific.joined(separator: ", "))"
        return (true, (a.likely == true ? a.reasons : []) + [reason])
    }
}
