/// The rules of take-out (Art. 12) and disposal (Art. 15): each decides, from the entry as it is,
/// the event a request makes, or refuses it with what stands in the way (`conflict`). The store
/// calls them inside the write transaction, so two requests never both pass.
extension LedgerEntry {
    static func conflict(_ en: String, ja: String, field: String? = nil) -> ValidationError {
        ValidationError(.conflict, field: field, en, ja: ja)
    }

    /// The next request id of `kind` for this entry.
    func nextRequest(_ kind: LedgerID.RequestKind) -> String {
        let n = kind == .takeOut ? takeOuts.count : disposals.count
        return LedgerID.request(entry: id, kind: kind, number: n + 1)
    }

    /// `ledger.update`: the descriptive members, and `state: "returned"` (handed back to the city).
    public func update(_ members: JSONValue) throws(ValidationError) -> LedgerEvent? {
        var o = try Self.requestedChanges(members)
        var changes: [String: JSONValue] = [:]
        if let s = o.removeValue(forKey: "state") {
            guard s.stringValue == LedgerState.returned.rawValue else {
                throw ValidationError(
                    .invalidValue, field: "state",
                    "state can only be set to \"returned\" (handed back to the city); take-out and disposal have their own commands",
                    ja: "state に指定できるのは returned（市へ返却）のみです。持出し・廃棄は専用のコマンドで行います")
            }
            guard state == .held else {
                throw Self.conflict(
                    "\(id) is \(state.rawValue): only an entry held can be returned", ja: "\(id) は\(state.japanese)のため返却にできません",
                    field: "state")
            }
            if let open = openRequest {
                throw Self.conflict(
                    "\(id) has an application that still stands (\(open)): withdraw it first",
                    ja: "\(id) には未了の申請（\(open)）があります。先に取り下げてください",
                    field: "state")
            }
            changes["state"] = ["from": .string(state.rawValue), "to": .string(LedgerState.returned.rawValue)]
        }
        if state == .disposed {
            throw Self.conflict("\(id) is disposed: it can no longer change", ja: "\(id) は廃棄済みのため変更できません")
        }
        if !o.isEmpty {
            let next = try LedgerFields.validate(.object(o), base: fields)
            for (k, v) in next.changes(from: fields) { changes[k] = v }
        }
        return changes.isEmpty ? nil : .updated(FieldChanges(changes: changes))
    }

    /// Applying for a take-out: only an entry held, one application at a time, and electronic
    /// information only encrypted (Art. 12).
    public func requestTakeOut(purpose: String, until: String, encrypted: Bool, by: JSONValue, now: Double? = nil) throws(ValidationError)
        -> LedgerEvent
    {
        if let now, let back = Timestamp(rfc3339: until)?.epochSeconds, back < now - (until.contains("T") ? Self.allowedSkew : 86_400) {
            throw ValidationError(
                .invalidValue, field: "until", "until is in the past: when it comes back at the latest", ja: "until（返却予定日時）が過去の日時です")
        }
        try requireHeldWithoutApplication(to: "be taken out", ja: "持ち出せません")
        if fields.media.isElectronic && !encrypted {
            throw ValidationError(
                .invalidValue, field: "encrypted",
                "\(id) is held electronically: Article 12 allows taking it out only encrypted (--encrypted)",
                ja: "\(id) は電子媒体です。第12条により、暗号化した場合に限り持ち出せます（--encrypted）")
        }
        return .takeOutRequested(
            TakeOutRequest(request: nextRequest(.takeOut), purpose: purpose, until: until, encrypted: encrypted, by: by))
    }

    /// The application that still stands, if any: a take-out waiting for approval or out, or a
    /// disposal neither done nor withdrawn. An entry has at most one at a time.
    public var openRequest: String? {
        takeOuts.first(where: { $0.isPending || $0.isOut })?.request ?? disposals.first(where: \.isOpen)?.request
    }

    /// How far a time given from outside (the city's, a lead's) may lie ahead of the daemon's clock.
    static let allowedSkew = 300.0

    /// Recording the city's approval of a take-out or disposal: only of an application that
    /// still stands on an entry held, never dated before the application or in the future. `nil`
    /// when this approval (by the city's id) is already recorded: an answer delivered twice
    /// approves once; a city id already used for another request of the entry is refused.
    public func approve(_ a: LedgerApproval, now: Double) throws(ValidationError) -> LedgerEvent? {
        guard let parsed = LedgerID.parseRequest(a.request), parsed.entry == id else {
            throw ValidationError(.notFound, field: "request", "no request \(a.request) for \(id)", ja: "\(id) に申請 \(a.request) はありません")
        }
        if let cityID = a.approvalID {
            let used = (takeOuts.compactMap(\.approval) + disposals.compactMap(\.approval)).first { $0.approvalID == cityID }
            if let used {
                if used.request == a.request {
                    return nil
                } else {
                    throw Self.conflict(
                        "approval id \(cityID) is already recorded for \(used.request)", ja: "承認番号 \(cityID) は \(used.request) に記録済みです",
                        field: "approval_id")
                }
            }
        }
        let requestedAt: String
        switch parsed.kind {
        case .takeOut:
            guard let t = takeOut(a.request) else {
                throw ValidationError(.notFound, field: "request", "no take-out \(a.request)", ja: "持出し申請 \(a.request) はありません")
            }
            if t.approval != nil { throw Self.conflict("\(a.request) is already approved", ja: "\(a.request) は承認済みです", field: "request") }
            guard t.isPending else { throw Self.conflict("\(a.request) no longer stands", ja: "\(a.request) は終了しています", field: "request") }
            requestedAt = t.requestedAt
        case .disposal:
            guard let d = disposal(a.request) else {
                throw ValidationError(.notFound, field: "request", "no disposal \(a.request)", ja: "廃棄申請 \(a.request) はありません")
            }
            if d.approval != nil { throw Self.conflict("\(a.request) is already approved", ja: "\(a.request) は承認済みです", field: "request") }
            guard d.isOpen else { throw Self.conflict("\(a.request) no longer stands", ja: "\(a.request) は終了しています", field: "request") }
            requestedAt = d.requestedAt
        }
        guard state == .held else {
            throw Self.conflict("\(id) is \(state.rawValue): nothing of it can be approved", ja: "\(id) は\(state.japanese)のため承認を記録できません")
        }
        try Self.checkTime(a.approvedAt, field: "approved_at", notBefore: requestedAt, what: "the application", now: now)
        return parsed.kind == .takeOut ? .takeOutApproved(a) : .disposalApproved(a)
    }

    /// A time from outside: not before `notBefore` (allowing the skew of another clock) and not
    /// in the future.
    static func checkTime(_ t: String, field: String, notBefore: String?, what: String, now: Double) throws(ValidationError) {
        guard let at = Timestamp(rfc3339: t)?.epochSeconds else { return }
        // A date alone (2026-12-01) is read as midnight UTC: it names a day, so it may lie up to
        // a day either side of the moments it is compared with.
        let skew = t.contains("T") ? allowedSkew : 86_400 + allowedSkew
        if at > now + skew {
            throw ValidationError(.invalidValue, field: field, "\(field) is in the future", ja: "\(field) が未来の日時です")
        }
        if let notBefore, let earliest = Timestamp(rfc3339: notBefore)?.epochSeconds, at < earliest - skew {
            throw ValidationError(.invalidValue, field: field, "\(field) is before \(what)", ja: "\(field) が申請・承認より前の日時です")
        }
    }

    /// Withdrawing an application (or recording that the city refused it) before it was approved
    /// (a take-out) or done (a disposal).
    public func withdraw(_ request: String, reason: String) throws(ValidationError) -> LedgerEvent {
        if let t = takeOut(request) {
            guard t.isPending else {
                throw Self.conflict("\(request) is no longer waiting for approval", ja: "\(request) は承認待ちではありません", field: "request")
            }
        } else if let d = disposal(request) {
            guard d.isOpen else { throw Self.conflict("\(request) no longer stands", ja: "\(request) は終了しています", field: "request") }
        } else {
            throw ValidationError(.notFound, field: "request", "no request \(request)", ja: "申請 \(request) はありません")
        }
        return .withdrawn(request: request, reason: reason)
    }

    /// Returning what was taken out.
    public func returnTakeOut(_ request: String, note: String?) throws(ValidationError) -> LedgerEvent {
        guard let t = takeOut(request) else {
            throw ValidationError(.notFound, field: "request", "no take-out \(request)", ja: "持出し申請 \(request) はありません")
        }
        guard t.isOut, state == .taken_out else {
            throw Self.conflict(
                t.returnedAt != nil ? "\(request) was already returned" : "\(request) is not approved yet: nothing was taken out",
                ja: t.returnedAt != nil ? "\(request) は返却済みです" : "\(request) は未承認のため持ち出されていません", field: "request")
        }
        return .takeOutReturned(request: request, note: note)
    }

    /// Applying for a disposal (Art. 15): only an entry held, one open application at a time.
    public func requestDisposal(method: String, medium: String, quantity: String, planned: String, by: JSONValue) throws(ValidationError)
        -> LedgerEvent
    {
        try requireHeldWithoutApplication(to: "be disposed of", ja: "廃棄できません")
        return .disposalRequested(
            DisposalRequest(request: nextRequest(.disposal), method: method, medium: medium, quantity: quantity, planned: planned, by: by))
    }

    /// Recording a disposal as done: only after the city approved it (Art. 15).
    public func completeDisposal(_ request: String, at: String, by: String, witness: String?, now: Double) throws(ValidationError)
        -> LedgerEvent
    {
        guard let d = disposal(request) else {
            throw ValidationError(.notFound, field: "request", "no disposal \(request)", ja: "廃棄申請 \(request) はありません")
        }
        if d.isDone { throw Self.conflict("\(request) is already recorded as done", ja: "\(request) は完了済みです", field: "request") }
        guard d.isOpen else { throw Self.conflict("\(request) was withdrawn", ja: "\(request) は取り下げられています", field: "request") }
        guard state == .held else {
            throw Self.conflict(
                "\(id) is \(state.rawValue): only an entry held (not taken out) can be disposed of",
                ja: "\(id) は\(state.japanese)のため廃棄できません")
        }
        guard d.approval != nil else {
            throw Self.conflict(
                "\(request) is not approved by the city yet: Article 15 allows disposal only after approval",
                ja: "\(request) は市の承認前です。第15条により、承認を得てから廃棄してください", field: "request")
        }
        try Self.checkTime(at, field: "at", notBefore: d.approval?.approvedAt, what: "the city's approval", now: now)
        return .disposalCompleted(DisposalDone(request: request, at: at, by: by, witness: witness))
    }
}

extension LedgerEntry {
    /// An application (take-out or disposal) needs the entry held and no other application
    /// standing. `to` and `ja` finish the refusal: "only an entry held can \(to)".
    func requireHeldWithoutApplication(to: String, ja: String) throws(ValidationError) {
        guard state == .held else {
            throw Self.conflict("\(id) is \(state.rawValue): only an entry held can \(to)", ja: "\(id) は\(state.japanese)のため\(ja)")
        }
        if let open = openRequest {
            throw Self.conflict(
                "\(id) already has an application that still stands (\(open)); one at a time",
                ja: "\(id) には未了の申請（\(open)）があります。申請は一件ずつです")
        }
    }
}

extension LedgerEntry {
    /// The members of a `ledger.update`: an object naming at least one.
    static func requestedChanges(_ members: JSONValue) throws(ValidationError) -> [String: JSONValue] {
        guard case .object(let o) = members, !o.isEmpty else {
            throw ValidationError(
                .emptyField, field: "fields", "fields must name at least one member to change", ja: "fields に変更する項目を指定してください")
        }
        return o
    }
}
