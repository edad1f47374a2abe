import Foundation
import Testing

@testable import SokuhoCore

/// The rendered incident report, compared with committed snapshots in both languages. After an
/// intended change, re-record with `SOKUHO_RECORD_SNAPSHOTS=1 swift test --filter ReportSnapshot`
/// and review the diff.
@Suite("The incident report and status report, as rendered")
struct ReportSnapshotTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots").path

    /// A dossier as `case.report` returns it, with fixed times.
    static let dossier: JSONValue = [
        "generated_at": "2026-12-20T09:00:00.000Z",
        "case": [
            "id": "INC-2026-0007", "state": "closed", "resolution": "incident", "kind": "leak", "suspected": false,
            "information": "顧客名簿（氏名・住所・電話番号）", "count": 1200, "count_precision": "approximate",
            "location": "本社3階 共有フォルダ", "circumstances": "アクセス権の設定誤りで全社員が閲覧可能だった",
            "occurred_at": "2026-11-20", "discovered_at": "2026-11-26T09:00:00+09:00", "reported_at": "2026-11-26T00:05:00.000Z",
            "subcontractor": .null, "reporter": ["name": "山田 太郎", "organization": "株式会社サンプル", "contact": "03-0000-0000"],
            "playbook": [
                "id": "leak", "hash": "37ed4a3d4ca054131a70a53d739cc028f1cf5796980b63fa4cd5dc8bf4f920d3",
                "title": ["ja": "情報漏えい対応", "en": "Information leak response"], "assigned_at": "2026-11-26T00:05:00.000Z",
            ],
            "appi": [
                "summary": "共有フォルダのアクセス権設定の誤り", "data_items": "氏名、住所、電話番号", "persons": 1150, "persons_precision": "exact",
                "cause": "権限変更時の確認漏れ", "secondary_harm": "no", "secondary_harm_detail": .null, "notice_to_persons": "市が本人へ通知",
                "recurrence_prevention": "権限変更の二重確認", "other": .null, "sensitive": false, "financial_harm": false, "malicious": false,
                "encrypted": false,
            ],
            "publication": [
                "decision": "published", "date": "2026-12-01", "url": "https://www.city.example.jp/news/123", "note": .null,
                "decided_at": "2026-12-01T01:00:00.000Z",
            ],
            "instructions": [
                [
                    "id": "I-1", "issued_at": "2026-11-26T01:30:00.000Z", "from": "情報政策課", "text": "対象者一覧を本日中に提出すること",
                    "source": "webhook:city", "external_id": "c-1", "recorded_at": "2026-11-26T01:30:01.000Z", "response": "提出済み",
                    "done_at": "2026-11-26T06:00:00.000Z", "done_by": ["uid": 1001, "user": "tanaka"], "open": false,
                ]
            ],
            "submitted": ["preliminary": "2026-11-28T00:00:00.000Z", "confirmed": "2026-12-15T00:00:00.000Z"],
        ],
        "clocks": [
            [
                "clock": "first_report", "title": ["ja": "第一報の到達", "en": "first report delivered"], "due_at": "2026-11-26T00:15:00.000Z",
                "state": "met", "met_at": "2026-11-26T00:05:01.000Z",
            ],
            [
                "clock": "preliminary", "title": ["ja": "速報", "en": "preliminary report"], "due_at": "2026-11-29T00:00:00.000Z",
                "state": "met", "met_at": "2026-11-28T00:00:00.000Z",
            ],
            [
                "clock": "confirmed", "title": ["ja": "確報", "en": "confirmed report"], "due_at": "2026-12-26T00:00:00.000Z", "state": "met",
                "met_at": "2026-12-15T00:00:00.000Z",
            ],
        ],
        "national_report": ["likely": true, "reasons": ["1150 persons > 100"], "persons_threshold": 100],
        "events": [
            [
                "seq": 1, "at": "2026-11-26T00:05:00.000Z", "type": "case.opened", "hash": "a1",
                "actor": ["user": "yamada", "role": "reporter"], "data": ["channel": "socket"],
            ],
            [
                "seq": 2, "at": "2026-11-26T00:05:00.000Z", "type": "playbook.assigned", "hash": "a2",
                "actor": ["user": "sokuhod", "role": "admin"], "data": ["playbook": "leak", "version": "37ed4a3d4ca0"],
            ],
            [
                "seq": 3, "at": "2026-11-26T00:40:00.000Z", "type": "step.done", "hash": "a3", "actor": ["user": "tanaka", "role": "lead"],
                "data": ["step": "contain", "note": "権限を修正", "auto": false],
            ],
            [
                "seq": 4, "at": "2026-11-26T02:00:00.000Z", "type": "case.updated", "hash": "a4",
                "actor": ["user": "tanaka", "role": "lead"], "data": ["count": ["from": .null, "to": 1200]],
            ],
            [
                "seq": 5, "at": "2026-12-20T08:00:00.000Z", "type": "case.transitioned", "hash": "a5",
                "actor": ["user": "tanaka", "role": "lead"], "data": ["from": "resolved", "to": "closed"],
            ],
        ],
        "steps": [
            [
                "id": "contain", "title": ["ja": "拡大を止める（封じ込め）", "en": "Stop the spread (containment)"], "state": "done", "mandatory": true,
                "due_at": "2026-11-26T01:00:00.000Z", "record": ["outcome": "done", "at": "2026-11-26T00:40:00.000Z", "note": "権限を修正"],
            ],
            [
                "id": "notify_persons", "title": ["ja": "本人への通知を決める", "en": "Decide on telling the people affected"], "state": "skipped",
                "mandatory": false,
                "due_at": "2026-12-03T00:00:00.000Z",
                "record": ["outcome": "skipped", "at": "2026-11-27T00:00:00.000Z", "reason": "市が通知する"],
            ],
        ],
        "deliveries": [
            [
                "sequence": 1, "type": "incident.opened", "endpoint": "city", "state": "delivered",
                "delivered_at": "2026-11-26T00:05:01.000Z", "attempts": 1,
            ],
            [
                "sequence": 9, "type": "incident.closed", "endpoint": "city", "state": "delivered",
                "delivered_at": "2026-12-20T08:00:01.000Z", "attempts": 1,
            ],
        ],
        "audit": ["events": 42, "head_hash": "f00dfeed", "case_last_hash": "a5"],
    ]

    /// Compares `text` with `Snapshots/NAME.snapshot` (recorded output, named so that no tool
    /// takes it for source).
    static func check(_ text: String, _ name: String) throws {
        let path = dir + "/" + name + ".snapshot"
        if ProcessInfo.processInfo.environment["SOKUHO_RECORD_SNAPSHOTS"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its snapshot; re-record with SOKUHO_RECORD_SNAPSHOTS=1 if intended")
    }

    @Test("the incident report in Japanese and English, Markdown and HTML")
    func incidentReport() throws {
        for ja in [true, false] {
            let doc = IncidentReport.document(Self.dossier, style: .japan(ja))
            try Self.check(doc.markdown(), "incident-report.\(ja ? "ja" : "en").md")
            try Self.check(doc.html(lang: ja ? "ja" : "en"), "incident-report.\(ja ? "ja" : "en").html")
        }
        let html = IncidentReport.document(Self.dossier, style: .japan(true)).html(lang: "ja")
        #expect(html.contains("size: A4;"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("src="))  // nothing loaded from outside
    }

    @Test("the public notice carries no reporter, no contact, no names")
    func notice() throws {
        let c = Self.dossier["case"]!
        for ja in [true, false] {
            let text = PublicNotice.draft(c, style: .japan(ja))
            for secret in ["山田", "株式会社サンプル", "03-0000-0000", "情報政策課", "tanaka", "yamada"] { #expect(!text.contains(secret), "\(secret)") }
            #expect(text.contains("顧客名簿"))
            try Self.check(text, "notice.\(ja ? "ja" : "en").txt")
        }
    }

    @Test("the status report: CSV quoting and the summary")
    func statusReport() throws {
        let r: JSONValue = [
            "from": "2026-11-01T00:00:00.000Z", "to": "2026-12-01T00:00:00.000Z", "generated_at": "2026-12-01T09:00:00.000Z",
            "cases": [
                Self.dossier["case"]!,
                [
                    "id": "INC-2026-0008", "kind": "loss", "suspected": true, "state": "open",
                    "count": .null, "reported_at": "2026-11-30T00:00:00.000Z", "information": "USB, \"A\"",
                ],
            ],
        ]
        let csv = StatusReport.csv(r)
        #expect(csv.hasPrefix("case_id,kind,suspected,state,"))
        #expect(csv.contains("\r\nINC-2026-0008,loss,true,open,"))
        try Self.check(csv, "status-report.csv")
        try Self.check(StatusReport.document(r, style: .japan(true)).markdown(), "status-report.ja.md")
    }
}
