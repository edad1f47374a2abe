import Foundation
import Testing

@testable import SokuhoCore

extension DocumentStyle {
    /// A document as a contractor in Japan prints it: times at +09:00.
    static func japan(_ ja: Bool) -> DocumentStyle { DocumentStyle(japanese: ja, zone: .fixed(seconds: 9 * 3600)) }
}

/// The presentation layer every document uses: times, numbers, words for stored values, and the
/// one table of event sentences.
@Suite("Documents say values in their language")
struct DocumentStyleTests {
    let ja = DocumentStyle.japan(true), en = DocumentStyle.japan(false)

    @Test("times in the configured zone, to the minute, in each language's form; dates stay their day")
    func times() {
        #expect(ja.time("2026-11-28T03:53:28.939Z") == "2026年11月28日 12:53")
        #expect(en.time("2026-11-28T03:53:28.939Z") == "28 Nov 2026 12:53")
        #expect(ja.time("2026-12-31T15:00:00Z") == "2027年1月1日 00:00")  // the next day (and year) in Japan
        #expect(ja.time("2026-11-26T09:00:00+09:00") == "2026年11月26日 09:00")
        #expect(ja.time("2026-11-20") == "2026年11月20日" && en.time("2026-11-20") == "20 Nov 2026")
        #expect(
            DocumentStyle(japanese: false, zone: .fixed(seconds: -(5 * 3600 + 1800))).time("2026-01-01T03:00:00Z") == "31 Dec 2025 21:30")
        #expect(ja.day("2026-11-28T20:00:00Z") == "2026年11月29日")
        #expect(ja.time(nil as String?) == nil && ja.time(JSONValue.null) == "—")
        #expect(ja.time("not a time") == "not a time")  // shown as given; the renderer escapes it
    }

    @Test("the zone is stated in words")
    func zone() {
        #expect(ja.zoneNote(at: "2026-11-28T00:00:00Z") == "時刻は日本時間（UTC+09:00）で表示しています。")
        #expect(en.zoneNote(at: nil) == "Times are in Japan time (UTC+09:00).")
        #expect(DocumentStyle(japanese: false).zoneNote(at: nil) == "Times are in UTC.")
        #expect(DocumentZone.fixed(seconds: -(5 * 3600 + 1800)).utcLabel(at: 0) == "UTC-05:30")
        let berlin = DocumentZone(name: "Europe/Berlin", offsetAt: { $0 < 1_000 ? 3600 : 7200 })
        #expect(berlin.label(at: 0, japanese: false) == "Europe/Berlin (UTC+01:00)")
        #expect(DocumentStyle(japanese: false, zone: berlin).time("1970-01-01T00:00:00Z") == "1 Jan 1970 01:00")
    }

    @Test("numbers with separators, counts with units and precision, unknowns in words")
    func numbers() {
        #expect(
            ja.number(1200) == "1,200" && ja.number(999) == "999" && ja.number(1_234_567) == "1,234,567" && ja.number(-4000) == "-4,000")
        #expect(ja.count(1200, .items, precision: .approximate) == "1,200件（概数）")
        #expect(ja.count(1200, .items, precision: .at_least) == "1,200件以上")
        #expect(ja.count(1150, .persons) == "1,150人")
        #expect(en.count(1200, .items, precision: .approximate) == "about 1,200 items")
        #expect(en.count(1, .persons) == "1 person")
        #expect(ja.count(nil as Int64?, .items) == "未確認" && en.count(nil as Int64?, .items) == "not yet known")
        #expect(ja.text(["a": 1]) == "—")  // never JSON syntax
    }

    @Test("stored values are words: no done, ready, waiting or not_applicable in Japanese")
    func words() {
        for raw in ["waiting", "ready", "done", "skipped", "not_applicable"] {
            let w = ja.stepState(raw)
            #expect(w.unicodeScalars.allSatisfy { !$0.isASCII }, "\(raw) → \(w)")
        }
        #expect(ja.stepState("ready", overdue: true) == "実施待ち（期限超過）")
        #expect(ja.clockState("met_late") == "期限後に達成" && en.clockState("missed") == "MISSED")
        #expect(ja.messageType("incident.opened") == "第一報" && ja.messageType("incident.contained") == "封じ込めの通知")
        #expect(ja.deliveryState("delivered") == "到達" && ja.caseState("contained") == "封じ込め済み")
        #expect(
            ja.actor(user: "tanaka", role: "lead") == "tanaka（作業責任者）" && en.actor(user: "sokuhod", role: "admin") == "sokuhod (automatic)")
    }

    @Test("the changes of a case.updated event as a sentence, count and precision together")
    func changes() {
        let data: JSONValue = ["count": ["from": nil, "to": 1200], "count_precision": ["from": nil, "to": "approximate"]]
        #expect(EventSentence.sentence(type: "case.updated", data: data, style: ja) == "件数を 1,200件（概数）に更新")
        #expect(EventSentence.sentence(type: "case.updated", data: data, style: en) == "Number of items set to about 1,200 items")
        let corrected: JSONValue = [
            "location": ["from": "本社", "to": "支社"], "discovered_at": ["from": "2026-11-26T00:00:00Z", "to": "2026-11-25T23:00:00Z"],
        ]
        #expect(
            EventSentence.sentence(type: "case.updated", data: corrected, style: ja)
                == "発生場所を 「支社」に更新（以前は「本社」）、発見日時を 2026年11月26日 08:00に更新（以前は2026年11月26日 09:00）")
        let flags: JSONValue = ["persons": ["from": nil, "to": 1150], "sensitive": ["from": nil, "to": false]]
        #expect(EventSentence.sentence(type: "appi.updated", data: flags, style: ja) == "本人の数を 1,150人に更新、要配慮個人情報を なしに更新")
    }

    @Test("automatic steps say what they did", arguments: [true, false])
    func automatic(_ jaDoc: Bool) {
        let s = DocumentStyle.japan(jaDoc)
        let context = EventSentence.Context(stepTitles: ["alert_lead": "作業責任者への連絡"])
        let data: JSONValue = [
            "step": "alert_lead", "auto": true, "action": ["type": "notify", "endpoint": nil],
            "note": "playbooks.notify is not configured; logged only",
        ]
        let text = EventSentence.sentence(type: "step.done", data: data, style: s, context: context)
        #expect(
            text
                == (jaDoc
                    ? "手順「作業責任者への連絡」：作業責任者へ自動通知（通知先未設定）"
                    : "Step “作業責任者への連絡”: security lead notified automatically (no endpoint configured)"))
    }

    /// Data of every event type as the dossier gives it, nulls included.
    static let samples: [String: JSONValue] = [
        "case.opened": ["channel": "socket"], "case.updated": ["count": ["from": nil, "to": 5]],
        "access.denied": ["op": "case.close", "reason": "x"],
        "spool.rejected": ["file": "a.json", "message": "bad", "message_ja": "不正", "code": "invalid_json"],
        "playbook.assigned": ["playbook": "leak", "version": "37ed4a3d4ca0"], "step.done": ["step": "contain", "note": nil, "auto": false],
        "step.skipped": ["step": "contain", "reason": "市が実施"],
        "step.reminded": ["step": "contain", "due_at": "2026-11-26T01:00:00Z", "overdue_seconds": 8100, "endpoint": nil],
        "case.transitioned": ["from": "resolved", "to": "closed", "reason": nil, "resolution": nil],
        "instruction.added": [
            "instruction": "I-1", "issued_at": "2026-11-26T01:30:00Z", "from": "情報政策課", "text": "提出すること", "source": "cli",
            "external_id": nil,
        ],
        "instruction.done": ["instruction": "I-1", "response": "提出済み"], "appi.updated": ["encrypted": ["from": nil, "to": true]],
        "publication.decided": ["decision": "published", "date": "2026-12-01", "url": nil, "note": nil],
        "report.submitted": ["report": "confirmed"],
        "clock.missed": ["clock": "preliminary", "due_at": "2026-11-29T00:00:00Z"],
        "status_report.sent": ["from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "cases": 3],
        "ledger.added": ["entry": ["name": "住民票写し", "category": "personal", "media": "paper", "storage": "書庫A"]],
        "ledger.updated": ["changes": ["records": ["from": nil, "to": 120], "received_from": ["from": nil, "to": "市民課"]]],
        "ledger.takeout_requested": ["request": "L-0001-T1", "purpose": "監査対応", "until": "2026-12-01T00:00:00Z", "encrypted": true],
        "ledger.takeout_approved": ["request": "L-0001-T1", "approved_at": "2026-11-28T00:00:00Z", "by": "情報政策課", "source": "manual"],
        "ledger.takeout_returned": ["request": "L-0001-T1", "note": nil],
        "disposal.requested": ["request": "L-0001-D1", "method": "溶解", "medium": "紙", "quantity": "1箱", "planned": "2026-12-10"],
        "disposal.approved": ["request": "L-0001-D1", "approved_at": "2026-11-28T00:00:00Z", "by": "情報政策課", "source": "manual"],
        "disposal.completed": ["request": "L-0001-D1", "at": "2026-12-10T01:00:00Z", "by": "山田", "witness": "佐藤"],
        "ledger.submitted": ["entries": 4], "ledger.request_withdrawn": ["request": "L-0001-T1", "reason": "市が不承認"],
    ]

    @Test("every event type has a sentence in both languages, with nothing raw from the wire")
    func everyEventType() {
        let context = EventSentence.Context(stepTitles: ["contain": "拡大を止める"], playbookTitles: ["leak": "情報漏えい対応"])
        for type in EventType.allCases {
            let data = Self.samples[type.rawValue]
            #expect(data != nil, "no sample for \(type.rawValue)")
            for s in [ja, en] {
                let text = EventSentence.sentence(type: type.rawValue, data: data ?? .null, style: s, context: context)
                #expect(!text.isEmpty && !text.contains(type.rawValue), "\(type.rawValue): \(text)")
                for raw in ["{", "}", "null", "T0", "Z)", "\"", "_"] { #expect(!text.contains(raw), "\(type.rawValue): \(raw) in \(text)") }
                if s.japanese {
                    #expect(
                        !text.contains(where: { $0.isASCII && $0.isLetter && $0.isLowercase })
                            || [.accessDenied, .spoolRejected].contains(type), "\(text)")
                }
            }
        }
        #expect(EventSentence.sentence(type: "future.thing", data: ["x": 1], style: ja) == "その他の記録（種別 future.thing）")
    }
}
