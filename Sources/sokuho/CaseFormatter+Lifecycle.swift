import Foundation
import SokuhoCore

extension CaseFormatter {
    /// State, deadlines, the national-report assessment, instructions and publication.
    static func printLifecycle(_ r: JSONValue) {
        let c = r["case"] ?? .null
        let state = c["state"]?.stringValue.flatMap(CaseState.init(rawValue:))
        var stateText = Lang.japanese ? (state?.japanese ?? "?") : (state?.rawValue ?? "?")
        if let res = c["resolution"]?.stringValue.flatMap(Resolution.init(rawValue:)) {
            stateText += " — " + (Lang.japanese ? res.japanese : res.rawValue)
        }
        printLine("")
        printLine(Lang.t("Lifecycle:", "対応状況:"))
        printLine(Lang.t("  state:                   \(stateText)", "  状態:              \(stateText)"))
        for k in r["clocks"]?.arrayValue ?? [] {
            let title = shown(Lang.japanese ? (k["title"]?["ja"]?.stringValue ?? "") : (k["title"]?["en"]?.stringValue ?? ""))
            let st = DocumentStyle(japanese: Lang.japanese).clockState(k["state"]?.stringValue ?? "")
            let met = k["met_at"]?.stringValue.map { shown($0) }.map { Lang.t(" at \($0)", "（\($0)）") } ?? ""
            printLine(
                "  \(title.padding(toLength: Lang.japanese ? 14 : 24, withPad: " ", startingAt: 0)) "
                    + Lang.t("due \(shown(k["due_at"]?.stringValue))  \(st)\(met)", "期限 \(shown(k["due_at"]?.stringValue))  \(st)\(met)"))
        }
        let nr = r["national_report"] ?? .null
        let likely: String =
            switch nr["likely"] {
            case .bool(true)?: Lang.t("likely required", "必要と見込まれる")
            case .bool(false)?: Lang.t("not required", "不要と見込まれる")
            default: Lang.t("cannot be told yet", "まだ判断できない")
            }
        let reasons = (nr["reasons"]?.arrayValue ?? []).compactMap(\.stringValue).map { shown($0) }.joined(separator: "; ")
        printLine(
            Lang.t(
                "  national report:         \(likely)\(reasons.isEmpty ? "" : " (\(reasons))")",
                "  委員会への報告:    \(likely)\(reasons.isEmpty ? "" : "（\(reasons)）")"))
        let open = (c["instructions"]?.arrayValue ?? []).filter { $0["open"]?.boolValue == true }.count
        let all = c["instructions"]?.arrayValue?.count ?? 0
        printLine(Lang.t("  instructions:            \(all) recorded, \(open) open", "  市の指示:          \(all) 件（未完了 \(open) 件）"))
        if let p = c["publication"], !p.isNull {
            let date = shown(p["date"]?.stringValue), url = shown(p["url"]?.stringValue.map(redactingUserinfo))
            printLine(
                Lang.t(
                    "  publication:             \(shown(p["decision"]?.stringValue)) \(date) \(url)",
                    "  公表:              \(p["decision"]?.stringValue.flatMap(Publication.Decision.init(rawValue:))?.japanese ?? "") \(date) \(url)"
                ))
        }
    }
}
