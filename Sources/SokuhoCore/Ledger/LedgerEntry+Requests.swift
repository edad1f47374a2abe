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
        guard case .object(var o) = members, !o.isEmpty else {
            throw ValidationError(
                .emptyField, field: "fields", "fields must name at least one member to change", ja: "fields に変更する項目を指定してください")
        }
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
    public func requestTakeOut(purpose: String, until: String, encrypted: Bool, by: JSONValue) throws(ValidationError) -> LedgerEvent {
        guard state == .held else {
            throw Self.conflict(
                "\(id) is \(state.rawValue): only an entry held can be taken out", ja: "\(id) は\(state.japanese)のため持ち出せません")
        }
        if let open = takeOuts.first(where: \.isPending) {
            throw Self.conflict(
                "\(id) already has a take-out waiting for the city's approval (\(open.request))",
                ja: "\(id) には市の承認待ちの持出し申請（\(open.request)）があります")
        }
        if fields.media.isElectronic && !encrypted {
            throw ValidationError(
                .invalidValue, field: "encrypted",
                "\(id) is held electronically: Article 12 allows taking it out only encrypted (--encrypted)",
                ja: "\(id) は電子媒体です。第12条により、暗号化した場合に限り持ち出せます（--encrypted）")
        }
        return .takeOutRequested(
            TakeOutRequest(request: nextRequest(.takeOut), purpose: purpose, until: until, encrypted: encrypted, by: by))
    }

    /// Recording the city's approval of a take-out or disposal. `nil` when this approval (by
    /// the city's id) is already recorded: an answer delivered twice approves once.
    public func approve(_ a: LedgerApproval) throws(ValidationError) -> LedgerEvent? {
        guard let parsed = LedgerID.parseRequest(a.request), parsed.entry == id else {
            throw ValidationError(.notFound, field: "request", "no request \(a.request) for \(id)", ja: "\(id) に申請 \(a.request) はありません")
        }
        switch parsed.kind {
        case .takeOut:
            guard let t = takeOut(a.request) else {
                throw ValidationError(.notFound, field: "request", "no take-out \(a.request)", ja: "持出し申請 \(a.request) はありません")
            }
            if let done = t.approval {
                if a.approvalID != nil, done.approvalID == a.approvalID { return nil }
                throw Self.conflict("\(a.request) is already approved", ja: "\(a.request) は承認済みです", field: "request")
            }
            if t.returnedAt != nil { throw Self.conflict("\(a.request) is closed", ja: "\(a.request) は終了しています", field: "request") }
            return .takeOutApproved(a)
        case .disposal:
            guard let d = disposal(a.request) else {
                throw ValidationError(.notFound, field: "request", "no disposal \(a.request)", ja: "廃棄申請 \(a.request) はありません")
            }
            if let done = d.approval {
                if a.approvalID != nil, done.approvalID == a.approvalID { return nil }
                throw Self.conflict("\(a.request) is already approved", ja: "\(a.request) は承認済みです", field: "request")
            }
            if d.isDone { throw Self.conflict("\(a.request) is done", ja: "\(a.request) は完了しています", field: "request") }
            return .disposalApproved(a)
        }
    }

    /// Returning what was taken out.
    public func returnTakeOut(_ request: String, note: String?) throws(ValidationError) -> LedgerEvent {
        guard let t = takeOut(request) else {
            throw ValidationError(.notFound, field: "request", "no take-out \(request)", ja: "持出し申請 \(request) はありません")
        }
        guard t.isOut else {
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
        guard state == .held else {
            throw Self.conflict(
                "\(id) is \(state.rawValue): only an entry held can be disposed of", ja: "\(id) は\(state.japanese)のため廃棄できません")
        }
        if let open = disposals.first(where: { !$0.isDone }) {
            throw Self.conflict(
                "\(id) already has a disposal application (\(open.request))", ja: "\(id) には廃棄申請（\(open.request)）が既にあります")
        }
        return .disposalRequested(
            DisposalRequest(request: nextRequest(.disposal), method: method, medium: medium, quantity: quantity, planned: planned, by: by))
    }

    /// Recording a disposal as done: only after the city approved it (Art. 15).
    public func completeDisposal(_ request: String, at: String, by: String, witness: String?) throws(ValidationError) -> LedgerEvent {
        guard let d = disposal(request) else {
            throw ValidationError(.notFound, field: "request", "no disposal \(request)", ja: "廃棄申請 \(request) はありません")
        }
        if d.isDone { throw Self.conflict("\(request) is already recorded as done", ja: "\(request) は完了済みです", field: "request") }
        guard d.approval != nil else {
            throw Self.conflict(
                "\(request) is not approved by the city yet: Article 15 allows disposal only after approval",
                ja: "\(request) は市の承認前です。第15条により、承認を得てから廃棄してください", field: "request")
        }
        return .disposalCompleted(DisposalDone(request: request, at: at, by: by, witness: witness))
    }
}
