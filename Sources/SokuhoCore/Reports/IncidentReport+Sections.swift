extension IncidentReport {
    /// Section 3: the deadlines, each with its state in words.
    static func clocks(_ d: JSONValue, _ s: DocumentStyle) -> ReportDocument.Section {
        let rows: [[String]] = (d["clocks"]?.arrayValue ?? []).map { k in
            [s.text(k["title"]?[s.lang]), s.time(k["due_at"]), s.clockState(k["state"]?.stringValue), s.time(k["met_at"])]
        }
        return .init(
            heading: s.t("3. Deadlines", "3. 期限"),
            blocks: [
                .table(
                    columns: [
                        .init(s.t("Clock", "期限"), width: 28), .init(s.t("Due", "期日"), width: 22, nowrap: true),
                        .init(s.t("State", "状態"), width: 28), .init(s.t("Met at", "達成日時"), width: 22, nowrap: true),
                    ], rows: rows)
            ])
    }

    /// Section 4: the timeline, each event as a sentence (`EventSentence`).
    static func timeline(_ d: JSONValue, _ s: DocumentStyle) -> ReportDocument.Section {
        let context = sentenceContext(d, s)
        let rows: [[String]] = withPrecisions(d["events"]?.arrayValue ?? [], d["case"] ?? .null).map { e in
            [
                s.time(e["at"]), s.actor(user: e["actor"]?["user"]?.stringValue, role: e["actor"]?["role"]?.stringValue),
                EventSentence.sentence(type: e["type"]?.stringValue ?? "", data: e["data"] ?? .null, style: s, context: context),
            ]
        }
        return .init(
            heading: s.t("4. Timeline", "4. 経過"),
            blocks: [
                .table(
                    columns: [
                        .init(s.t("When", "日時"), width: 21, nowrap: true), .init(s.t("By", "実施者"), width: 17),
                        .init(s.t("What happened", "内容"), width: 62),
                    ], rows: rows)
            ])
    }

    /// The events with, on each change of a count that leaves its precision as it was, that
    /// precision added as unchanged: the event does not record it, and without it 1,300件
    /// would read as exact when it is 1,300件（概数）. Worked out backwards from the case's
    /// precisions now, undoing each recorded change of a precision.
    static func withPrecisions(_ events: [JSONValue], _ c: JSONValue) -> [JSONValue] {
        var inForce = ["count_precision": c["count_precision"] ?? .null, "persons_precision": c["appi"]?["persons_precision"] ?? .null]
        var out = events
        for i in events.indices.reversed() {
            guard case .object(var e) = events[i], case .object(var changes)? = e["data"],
                [EventType.caseUpdated.rawValue, EventType.appiUpdated.rawValue].contains(e["type"]?.stringValue ?? "")
            else { continue }
            for (figure, precision) in [("count", "count_precision"), ("persons", "persons_precision")] {
                if let change = changes[precision] {
                    inForce[precision] = change["from"] ?? .null
                } else if changes[figure] != nil {
                    let p = inForce[precision] ?? .null
                    changes[precision] = ["from": p, "to": p]
                }
            }
            e["data"] = .object(changes)
            out[i] = .object(e)
        }
        return out
    }

    /// Step and playbook titles by id, in the document's language.
    static func sentenceContext(_ d: JSONValue, _ s: DocumentStyle) -> EventSentence.Context {
        var context = EventSentence.Context()
        for st in d["steps"]?.arrayValue ?? [] {
            if let id = st["id"]?.stringValue, let title = st["title"]?[s.lang]?.stringValue { context.stepTitles[id] = title }
        }
        let pb = d["case"]?["playbook"] ?? .null
        if let id = pb["id"]?.stringValue, let title = pb["title"]?[s.lang]?.stringValue { context.playbookTitles[id] = title }
        return context
    }

    /// Section 5: the playbook steps by title (★ mandatory), state in words, when, and the note.
    static func steps(_ d: JSONValue, _ s: DocumentStyle) -> ReportDocument.Section {
        let rows: [[String]] = (d["steps"]?.arrayValue ?? []).map { st in
            let r = st["record"] ?? .null
            let title = st["title"]?[s.lang]?.stringValue ?? s.text(st["id"])
            let mark = st["mandatory"]?.boolValue == true ? " ★" : ""
            let when =
                r["at"]?.stringValue != nil
                ? s.time(r["at"]) : (s.time(st["due_at"]?.stringValue).map { s.t("due\n", "期限\n") + $0 } ?? DocumentStyle.dash)
            var note = (r["note"] ?? r["reason"])?.stringValue ?? ""
            if r["auto"]?.boolValue == true { note = automaticNote(note, s) }
            return [title + mark, s.stepState(st["state"]?.stringValue, overdue: st["overdue"]?.boolValue == true), when, note]
        }
        let pb = d["case"]?["playbook"] ?? .null
        let pbLine =
            pb.isNull
            ? s.t("No playbook.", "対応手順なし。")
            : s.t("Playbook ", "対応手順") + s.quoted(pb["title"]?[s.lang]?.stringValue ?? s.text(pb["id"]))
                + s.t(
                    " (id \(s.text(pb["id"])), version \(s.text(pb["hash"]).prefix(16))). ★ mandatory.",
                    "（ID \(s.text(pb["id"]))、版 \(s.text(pb["hash"]).prefix(16))）。★は必須の手順。")
        return .init(
            heading: s.t("5. Response steps", "5. 対応手順"),
            blocks: [
                .text(pbLine),
                .table(
                    columns: [
                        .init(s.t("Step", "手順"), width: 33), .init(s.t("State", "状態"), width: 16),
                        .init(s.t("Done / due", "実施／期限"), width: 21, nowrap: true), .init(s.t("Note", "メモ"), width: 30),
                    ], rows: rows),
            ])
    }

    /// The note of an automatic step: what sokuhod wrote, in the document's language.
    static func automaticNote(_ note: String, _ s: DocumentStyle) -> String {
        switch note {
        case "": s.t("done automatically", "自動で実施")
        case "no city endpoint is configured; recorded only":
            s.t("automatic; no city endpoint is configured, recorded only", "自動実施（市の送信先未設定のため記録のみ）")
        case "playbooks.notify is not configured; logged only":
            s.t("automatic; no endpoint is configured for notices, logged only", "自動実施（通知先未設定のため記録のみ）")
        default: s.t("automatic: ", "自動実施：") + note
        }
    }

    /// Section 6: the city's instructions and the responses.
    static func instructions(_ c: JSONValue, _ s: DocumentStyle) -> ReportDocument.Section {
        let rows: [[String]] = (c["instructions"]?.arrayValue ?? []).map { i in
            [
                s.text(i["id"]), s.time(i["issued_at"]), s.text(i["from"]), s.text(i["text"]), s.text(i["response"]),
                i["open"]?.boolValue == true ? s.t("open", "未完了") : s.time(i["done_at"]),
            ]
        }
        return .init(
            heading: s.t("6. The city's instructions", "6. 発注者の指示"),
            blocks: [
                .table(
                    columns: [
                        .init(s.t("No.", "番号"), width: 7, nowrap: true), .init(s.t("Issued", "指示日時"), width: 21, nowrap: true),
                        .init(s.t("From", "指示者"), width: 12), .init(s.t("Instruction", "指示内容"), width: 20),
                        .init(s.t("Response", "対応"), width: 19), .init(s.t("Done", "完了"), width: 21, nowrap: true),
                    ], rows: rows)
            ])
    }

    /// Section 7: every message sent (or to be sent) to the city.
    static func deliveries(_ d: JSONValue, _ s: DocumentStyle) -> ReportDocument.Section {
        let rows: [[String]] = (d["deliveries"]?.arrayValue ?? []).map { m in
            [
                "\(m["sequence"]?.intValue ?? 0)", s.messageType(m["type"]?.stringValue), s.text(m["endpoint"]),
                s.deliveryState(m["state"]?.stringValue),
                s.time(m["delivered_at"]), s.count(of: m["attempts"], .attempts),
            ]
        }
        return .init(
            heading: s.t("7. Reports sent to the city", "7. 市への報告（送信記録）"),
            blocks: [
                .table(
                    columns: [
                        .init("#", width: 6, nowrap: true), .init(s.t("Message", "種別"), width: 24),
                        .init(s.t("Endpoint", "送信先"), width: 16),
                        .init(s.t("State", "状態"), width: 22), .init(s.t("Delivered", "到達日時"), width: 21, nowrap: true),
                        .init(s.t("Attempts", "試行"), width: 11, nowrap: true),
                    ], rows: rows)
            ])
    }
}
