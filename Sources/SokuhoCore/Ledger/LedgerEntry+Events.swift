/// Applying events to ledger entries: the one place where an entry changes.
extension LedgerEntry {
    /// Applies a stored event by type; events of other types leave the entry as it is.
    public mutating func apply(type: String, at: String, data: JSONValue) throws(LedgerError) {
        guard let t = EventType(rawValue: type) else { return }
        let event: LedgerEvent?
        do { event = try LedgerEvent(type: t, data: data) } catch { throw .malformedEvent(entry: id, type: type, reason: error.reason) }
        guard let event else { return }
        try apply(event, at: at)
    }

    /// Applies a typed event.
    public mutating func apply(_ event: LedgerEvent, at: String) throws(LedgerError) {
        func bad(_ reason: String) -> LedgerError { .malformedEvent(entry: id, type: event.type.rawValue, reason: reason) }
        switch event {
        case .added: throw bad("an entry cannot be added twice")
        case .updated(let c):
            var values = c.newValues
            if let s = values.removeValue(forKey: "state") {
                guard let raw = s.stringValue, let next = LedgerState(rawValue: raw) else { throw bad("unknown state") }
                state = next
            }
            if !values.isEmpty {
                do { fields = try LedgerFields.validate(.object(values), base: fields, stored: true) } catch { throw bad(error.message) }
            }
        case .takeOutRequested(let r):
            takeOuts.append(
                TakeOut(
                    request: r.request, purpose: r.purpose, until: r.until, encrypted: r.encrypted, requestedAt: at, requestedBy: r.by))
        case .takeOutApproved(let a):
            guard let i = takeOuts.firstIndex(where: { $0.request == a.request }) else { throw bad("no take-out \(a.request)") }
            takeOuts[i].approval = a
            state = .taken_out
        case .takeOutReturned(let request, let note):
            guard let i = takeOuts.firstIndex(where: { $0.request == request }) else { throw bad("no take-out \(request)") }
            takeOuts[i].returnedAt = at
            takeOuts[i].returnNote = note
            if state == .taken_out { state = .held }
        case .disposalRequested(let r):
            disposals.append(
                Disposal(
                    request: r.request, method: r.method, medium: r.medium, quantity: r.quantity, planned: r.planned, requestedAt: at,
                    requestedBy: r.by))
        case .disposalApproved(let a):
            guard let i = disposals.firstIndex(where: { $0.request == a.request }) else { throw bad("no disposal \(a.request)") }
            disposals[i].approval = a
        case .disposalCompleted(let d):
            guard let i = disposals.firstIndex(where: { $0.request == d.request }) else { throw bad("no disposal \(d.request)") }
            disposals[i].completedAt = d.at
            disposals[i].completedBy = d.by
            disposals[i].witness = d.witness
            state = .disposed
        case .withdrawn(let request, let reason):
            if let i = takeOuts.firstIndex(where: { $0.request == request }) {
                takeOuts[i].withdrawnAt = at
                takeOuts[i].withdrawReason = reason
            } else if let i = disposals.firstIndex(where: { $0.request == request }) {
                disposals[i].withdrawnAt = at
                disposals[i].withdrawReason = reason
            } else {
                throw bad("no request \(request)")
            }
        }
        updatedAt = at
        version += 1
    }

    /// Replays an entry from its events, oldest first (the first must be `ledger.added`).
    public static func replay(_ events: [StoredEvent]) throws(LedgerError) -> LedgerEntry {
        guard let first = events.first, first.type == EventType.ledgerAdded.rawValue, let id = first.caseID else {
            throw .malformedEvent(
                entry: events.first?.caseID ?? "?", type: events.first?.type ?? "none",
                reason: "the first event of an entry must be ledger.added")
        }
        let added: LedgerEvent?
        do { added = try LedgerEvent(type: .ledgerAdded, data: first.data) } catch {
            throw .malformedEvent(entry: id, type: first.type, reason: error.reason)
        }
        guard case .added(let fields)? = added else { throw .malformedEvent(entry: id, type: first.type, reason: "missing entry") }
        var e = LedgerEntry(id: id, fields: fields, at: first.at)
        for ev in events.dropFirst() { try e.apply(type: ev.type, at: ev.at, data: ev.data) }
        return e
    }
}
