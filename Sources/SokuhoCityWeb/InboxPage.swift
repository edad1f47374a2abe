import Foundation
import SokuhoCity
import SokuhoCore

/// The inbox's HTML pages, rendered on the server in Japanese or English.
///
/// Contract: every text that comes from the store or the request — contractors' payloads,
/// staff's instructions, names, ids — goes through `h` (`ReportDocument.escape`: `& < > "` as
/// entities, control and bidi characters as visible escapes); attributes are always
/// double-quoted. No script, no inline style: the page works under the inbox's CSP.
public struct InboxPage: Sendable {
    public var style: DocumentStyle
    /// `?lang=…` when the language was chosen in the address, carried in links and form actions.
    public var langQuery: String
    public var user: String?
    public var csrf: String?

    public init(japanese: Bool, chosen: Bool, user: String? = nil, csrf: String? = nil) {
        style = DocumentStyle(japanese: japanese, zone: .fixed(seconds: 9 * 3600))
        langQuery = chosen ? "?lang=" + (japanese ? "ja" : "en") : ""
        (self.user, self.csrf) = (user, csrf)
    }

    /// HTML-escaped text.
    public static func h(_ s: String) -> String { ReportDocument.escape(s) }
    func h(_ s: String) -> String { Self.h(s) }
    func t(_ en: String, _ ja: String) -> String { style.t(en, ja) }

    /// A path segment, percent-encoded, for an href.
    static func segment(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    public static func casePath(contractor: String, caseID: String) -> String {
        "/case/" + segment(contractor) + "/" + segment(caseID)
    }

    func hiddenCSRF() -> String { "<input type=\"hidden\" name=\"csrf\" value=\"\(h(csrf ?? ""))\">" }

    func page(title: String, body: String) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="\(style.lang)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(h(title)) — Sokuho</title>
            <link rel="stylesheet" href="/style.css">
            </head>
            <body>
            <header><a class="home" href="/\(langQuery)">\(t("Sokuho — the city's inbox", "Sokuho — 受信箱"))</a>
            """
        out += "<nav><a href=\"?lang=ja\" lang=\"ja\">日本語</a> <a href=\"?lang=en\" lang=\"en\">English</a>"
        if let user {
            out += " <span class=\"user\">\(h(user))</span>"
            out +=
                "<form class=\"logout\" method=\"post\" action=\"/logout\">\(hiddenCSRF())<button type=\"submit\">\(t("Log out", "ログアウト"))</button></form>"
        }
        out += "</nav></header>\n<main>\n" + body + "\n</main>\n<footer>\(h(style.zoneNote(at: nil)))</footer>\n</body>\n</html>\n"
        return out
    }

    // MARK: Login

    public func login(token: String, failed: Bool) -> String {
        var body = "<h1>\(t("Log in", "ログイン"))</h1>\n"
        if failed { body += "<p class=\"error\">\(t("Wrong name or password.", "ユーザー名またはパスワードが違います。"))</p>\n" }
        body += """
            <form method="post" action="/login\(langQuery)" class="login">
            <input type="hidden" name="csrf" value="\(h(token))">
            <label>\(t("Name", "ユーザー名")) <input name="name" autocomplete="username" required></label>
            <label>\(t("Password", "パスワード")) <input name="password" type="password" autocomplete="current-password" required></label>
            <button type="submit">\(t("Log in", "ログイン"))</button>
            </form>
            """
        return page(title: t("Log in", "ログイン"), body: body)
    }

    /// A short page for refusals and errors.
    public func message(title: String, text: String) -> String {
        page(
            title: title,
            body: "<h1>\(h(title))</h1>\n<p>\(h(text))</p>\n<p><a href=\"/\(langQuery)\">\(t("Back to the list", "一覧へ戻る"))</a></p>")
    }

    // MARK: The list

    /// The filter of the list: contractor, state, and "needs attention"; and the page shown.
    public struct Filter: Sendable {
        public var contractor: String?
        public var state: String?
        public var attention: Bool
        /// 1-based.
        public var page: Int
        public init(contractor: String?, state: String?, attention: Bool, page: Int = 1) {
            (self.contractor, self.state, self.attention, self.page) = (contractor, state, attention, max(1, page))
        }

        /// The list's address with this filter on page `n` (and the chosen language).
        func path(page n: Int, lang: String?) -> String {
            var q: [String] = []
            if let contractor { q.append("contractor=" + contractor) }  // names are [a-z0-9_-]
            if let state { q.append("state=" + state) }
            if attention { q.append("attention=1") }
            if n > 1 { q.append("page=\(n)") }
            if let lang { q.append("lang=" + lang) }
            return "/" + (q.isEmpty ? "" : "?" + q.joined(separator: "&"))
        }
    }

    /// Cases per page of the list.
    public static let pageSize = 100

    /// Minutes after which a first report is late, for "needs attention".
    public static let lateMinutes: Int64 = 15

    /// An open case (not closed) with open instructions, a first report later than 15 minutes,
    /// or no count yet.
    public static func needsAttention(_ r: CityStore.CaseRow) -> Bool {
        let f = r.facts
        guard f["state"]?.stringValue != "closed" else { return false }
        return (f["instructions_open"]?.intValue ?? 0) > 0 || (r.firstReportDelayMinutes ?? 0) > lateMinutes || f["count"]?.intValue == nil
            || !r.clocksMissed.isEmpty
    }

    /// The list: `rows` are the cases of `filter.page`, out of `total` that match the filter.
    public func list(rows: [CityStore.CaseRow], contractors: [String], filter: Filter, total: Int) -> String {
        var body = "<h1>\(t("Cases", "事案一覧"))</h1>\n"
        body += "<form method=\"get\" action=\"/\" class=\"filter\">"
        if !langQuery.isEmpty { body += "<input type=\"hidden\" name=\"lang\" value=\"\(style.lang)\">" }
        body += "<label>\(t("Contractor", "委託先")) <select name=\"contractor\"><option value=\"\">\(t("all", "すべて"))</option>"
        for c in contractors {
            body += "<option value=\"\(h(c))\"\(filter.contractor == c ? " selected" : "")>\(h(c))</option>"
        }
        body += "</select></label> <label>\(t("State", "状態")) <select name=\"state\"><option value=\"\">\(t("all", "すべて"))</option>"
        for s in ["open", "contained", "resolved", "closed"] {
            body += "<option value=\"\(s)\"\(filter.state == s ? " selected" : "")>\(h(style.caseState(s)))</option>"
        }
        body += "</select></label> <label><input type=\"checkbox\" name=\"attention\" value=\"1\"\(filter.attention ? " checked" : "")> "
        body += "\(t("Needs attention", "要対応"))</label> <button type=\"submit\">\(t("Filter", "絞り込む"))</button></form>\n"
        if rows.isEmpty { return page(title: t("Cases", "事案一覧"), body: body + "<p>\(t("No cases.", "事案はありません。"))</p>") }
        body += pager(filter: filter, shown: rows.count, total: total)
        body += "<table class=\"cases\">\n<thead><tr>"
        for c in [
            t("Contractor", "委託先"), t("Case", "事案"), t("Kind", "種別"), t("Information", "情報"), t("Count", "件数"), t("State", "状態"),
            t("Discovered → first report", "発見 → 第一報受信"), t("Deadlines missed", "期限超過"), t("Open instructions", "未完了の指示"),
        ] {
            body += "<th>\(h(c))</th>"
        }
        body += "</tr></thead>\n<tbody>\n"
        for r in rows {
            let f = r.facts
            let attention = Self.needsAttention(r)
            body += "<tr\(attention ? " class=\"attention\"" : "")>"
            body += "<td>\(h(r.contractor))</td>"
            body += "<td><a href=\"\(h(Self.casePath(contractor: r.contractor, caseID: r.caseID)) + h(langQuery))\">\(h(r.caseID))</a></td>"
            body +=
                "<td>\(h(style.kind(f["kind"]?.stringValue)))<br><small>\(h(style.occurrence(suspected: f["suspected"]?.boolValue == true)))</small></td>"
            body += "<td>\(h(style.text(f["information"])))</td>"
            body += "<td class=\"num\">\(h(f["count"]?.intValue == nil ? style.unknown : style.caseCount(f)))</td>"
            body += "<td>\(h(style.caseState(f["state"]?.stringValue)))</td>"
            var delay = style.time(f["discovered_at"]) + " → " + (style.time(r.firstReceivedAt) ?? style.unknown)
            if let m = r.firstReportDelayMinutes {
                delay += t(" (\(m) min)", "（\(m) 分）")
            }
            let late = (r.firstReportDelayMinutes ?? 0) > Self.lateMinutes
            body += "<td\(late ? " class=\"late\"" : "")>\(h(delay))</td>"
            let missed = r.clocksMissed.map { name in CaseClock.Name(rawValue: name).map { t($0.en, $0.ja) } ?? name }
            body += "<td\(missed.isEmpty ? "" : " class=\"late\"")>\(h(missed.isEmpty ? "—" : missed.joined(separator: t(", ", "、"))))</td>"
            body += "<td class=\"num\">\(f["instructions_open"]?.intValue ?? 0)</td>"
            body += "</tr>\n"
        }
        body += "</tbody></table>\n"
        body += pager(filter: filter, shown: rows.count, total: total)
        return page(title: t("Cases", "事案一覧"), body: body)
    }

    /// "Cases 101–200 of 1,234", with links to the previous and the next page.
    func pager(filter: Filter, shown: Int, total: Int) -> String {
        let first = (filter.page - 1) * Self.pageSize + 1
        let last = first + shown - 1
        let lang = langQuery.isEmpty ? nil : style.lang
        var html = "<p class=\"pager\">"
        if filter.page > 1 {
            html += "<a href=\"\(h(filter.path(page: filter.page - 1, lang: lang)))\" rel=\"prev\">\(t("← Newer", "← 新しい事案"))</a> "
        }
        html += h(
            t(
                "Cases \(style.number(Int64(first)))–\(style.number(Int64(last))) of \(style.number(Int64(total)))",
                "全 \(style.number(Int64(total))) 件中 \(style.number(Int64(first)))–\(style.number(Int64(last))) 件目"))
        if last < total {
            html += " <a href=\"\(h(filter.path(page: filter.page + 1, lang: lang)))\" rel=\"next\">\(t("Older →", "古い事案 →"))</a>"
        }
        return html + "</p>\n"
    }

    // MARK: The case page

    public func casePage(_ d: JSONValue, notice: String? = nil) -> String {
        let contractor = d["contractor"]?.stringValue ?? ""
        let caseID = d["case_id"]?.stringValue ?? ""
        let f = d["facts"] ?? .null
        let path = Self.casePath(contractor: contractor, caseID: caseID)
        var body = "<p><a href=\"/\(langQuery)\">\(t("← All cases", "← 事案一覧"))</a></p>\n"
        body += "<h1>\(h(caseID)) <small>\(h(contractor))</small></h1>\n"
        if let notice { body += "<p class=\"error\">\(h(notice))</p>\n" }
        body += "<h2>\(t("Facts as last reported", "最新の報告内容"))</h2>\n<table class=\"facts\">\n"
        let delay = d["first_report_delay_minutes"]?.intValue.map { t(" (\($0) min)", "（\($0) 分）") } ?? ""
        let rows: [(String, String)] = [
            (t("State", "状態"), style.caseState(f["state"]?.stringValue)),
            (t("Kind", "種別"), style.kind(f["kind"]?.stringValue) + " — " + style.occurrence(suspected: f["suspected"]?.boolValue == true)),
            (t("Information", "情報"), style.text(f["information"])),
            (t("Count", "件数"), f["count"]?.intValue == nil ? style.unknown : style.caseCount(f)),
            (t("Occurred", "発生"), style.time(f["occurred_at"])),
            (t("Discovered", "発見"), style.time(f["discovered_at"])),
            (t("First report received", "第一報受信"), (style.time(d["first_received_at"]?.stringValue) ?? style.unknown) + delay),
            (t("Location", "場所"), style.text(f["location"])),
            (t("Circumstances", "状況"), style.text(f["circumstances"])),
            (t("Subcontractor", "再委託先"), style.text(f["subcontractor"])),
            (t("Still unknown", "未確認の項目"), (f["missing"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")),
            (t("Open instructions (contractor)", "未完了の指示（委託先）"), String(f["instructions_open"]?.intValue ?? 0)),
            (t("Last message", "最終受信"), style.time(d["updated_at"])),
        ]
        for (k, v) in rows { body += "<tr><th>\(h(k))</th><td>\(h(v.isEmpty ? DocumentStyle.dash : v))</td></tr>\n" }
        body += "</table>\n"

        body += "<h2>\(t("Messages received", "受信したメッセージ"))</h2>\n<table class=\"timeline\"><thead><tr>"
        body +=
            "<th>\(t("Received", "受信"))</th><th>\(t("Message", "種類"))</th><th>\(t("Sequence", "通番"))</th><th>webhook-id</th></tr></thead><tbody>\n"
        for m in d["messages"]?.arrayValue ?? [] {
            body += "<tr><td>\(h(style.time(m["received_at"])))</td><td>\(h(style.messageType(m["type"]?.stringValue)))</td>"
            body += "<td class=\"num\">\(h(m["sequence"]?.intValue.map(String.init) ?? DocumentStyle.dash))</td>"
            body += "<td><code>\(h(m["webhook_id"]?.stringValue ?? ""))</code></td></tr>\n"
        }
        body += "</tbody></table>\n"

        body += listSection(
            t("Instructions", "指示"), empty: t("None yet.", "まだありません。"), class: "instructions",
            headers: ["ID", t("Instruction", "指示内容"), t("From", "指示元"), t("Issued", "発出"), t("Delivered", "委託先で記録")],
            rows: (d["instructions"]?.arrayValue ?? []).map { i in
                [
                    h(i["id"]?.stringValue ?? ""), h(i["text"]?.stringValue ?? ""), h(i["from"]?.stringValue ?? DocumentStyle.dash),
                    "\(h(style.time(i["issued_at"])))<br><small>\(h(i["issued_by"]?.stringValue ?? ""))</small>",
                    h(style.time(i["delivered_at"]?.stringValue) ?? t("not yet", "未")),
                ]
            })
        body += """
            <form method="post" action="\(h(path))/instruct\(langQuery)" class="issue">
            \(hiddenCSRF())
            <label>\(t("Instruction", "指示内容")) <textarea name="text" rows="3" maxlength="10000" required></textarea></label>
            <label>\(t("From", "指示元")) <input name="from" maxlength="200"></label>
            <button type="submit">\(t("Issue the instruction", "指示を出す"))</button>
            </form>

            """

        body += listSection(
            t("Publication decision", "公表の判断"), empty: t("Not decided yet.", "まだ判断していません。"), class: "publications",
            headers: [
                "ID", t("Decision", "判断"), t("Date", "公表日"), "URL", t("Note", "備考"), t("Decided", "判断日時"), t("Delivered", "委託先で記録"),
            ],
            rows: (d["publications"]?.arrayValue ?? []).map { p in
                let replaced = p["replaced_by"]?.stringValue.map { t("never: replaced by \($0) first", "なし（先に \($0) で置き換え）") }
                return [
                    h(p["id"]?.stringValue ?? ""), h(style.decision(p["decision"]?.stringValue)),
                    h(p["date"]?.stringValue ?? DocumentStyle.dash),
                    h(p["url"]?.stringValue ?? DocumentStyle.dash), h(p["note"]?.stringValue ?? DocumentStyle.dash),
                    "\(h(style.time(p["decided_at"])))<br><small>\(h(p["decided_by"]?.stringValue ?? ""))</small>",
                    h(style.time(p["delivered_at"]?.stringValue) ?? replaced ?? t("not yet", "未")),
                ]
            })
        body += """
            <form method="post" action="\(h(path))/publish\(langQuery)" class="issue">
            \(hiddenCSRF())
            <label>\(t("Decision", "判断")) <select name="decision">
            """
        for d in Publication.Decision.allCases {
            body += "<option value=\"\(d.rawValue)\">\(h(style.decision(d.rawValue)))</option>"
        }
        body += """
            </select></label>
            <label>\(t("Date", "公表日")) <input name="date" placeholder="2026-12-01" maxlength="40"></label>
            <label>URL <input name="url" placeholder="https://" maxlength="2000"></label>
            <label>\(t("Note", "備考")) <input name="note" maxlength="2000"></label>
            <button type="submit">\(t("Record the decision", "判断を記録する"))</button>
            </form>
            """
        return page(title: caseID + " " + contractor, body: body)
    }

    /// A heading, then `empty` as a paragraph when there are no rows, else a table of `rows`.
    /// Headers are escaped here; cells are HTML the caller made (each value escaped with `h`).
    func listSection(_ title: String, empty: String, class cls: String, headers: [String], rows: [[String]]) -> String {
        var out = "<h2>\(title)</h2>\n"
        guard !rows.isEmpty else { return out + "<p>\(empty)</p>\n" }
        out += "<table class=\"\(cls)\"><thead><tr>" + headers.map { "<th>\(h($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows { out += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
        return out + "</tbody></table>\n"
    }
}
