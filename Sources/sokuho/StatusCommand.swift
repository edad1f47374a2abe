import ArgumentParser
import SokuhoCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show whether sokuhod runs, and its counts.")

    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        guard let response = try daemon.call(PlainRequest(.status)) else { return }
        let s = response["status"] ?? .null
        let roles = (s["you"]?["roles"]?.arrayValue ?? []).compactMap(\.stringValue).map { shown($0) }.joined(separator: ", ")
        let you =
            Lang.t("  you:       ", "  あなた:    ")
            + "\(shown(s["you"]?["user"]?.stringValue ?? "?")) (\(roles.isEmpty ? Lang.t("no role", "役割なし") : roles))"
        guard s["version"] != nil else {
            // A user without a role is told only who they are (docs/protocol.md).
            print(
                Lang.t(
                    "sokuhod is running; you have no role, so it tells you nothing more.",
                    "sokuhod は稼働中です。役割がないため、これ以上の情報は表示されません。"))
            print(you)
            return
        }
        print(
            Lang.t(
                "sokuhod \(shown(s["version"]?.stringValue ?? "?")) is running (pid \(s["pid"]?.intValue ?? 0), up \(s["uptime_seconds"]?.intValue ?? 0) s)",
                "sokuhod \(shown(s["version"]?.stringValue ?? "?")) は稼働中です（pid \(s["pid"]?.intValue ?? 0)、稼働 \(s["uptime_seconds"]?.intValue ?? 0) 秒）"
            ))
        print(Lang.t("  cases:     ", "  事案数:    ") + "\(s["cases"]?.intValue ?? 0)")
        print(Lang.t("  events:    ", "  イベント数: ") + "\(s["events"]?.intValue ?? 0)")
        print(Lang.t("  chain head:", "  チェーン先頭:") + " \(shown(s["head_hash"]?.stringValue))")
        print(Lang.t("  database:  ", "  データベース:") + " \(shown(s["database"]?.stringValue))")
        print(Lang.t("  socket:    ", "  ソケット:  ") + " \(shown(s["socket"]?.stringValue))")
        print(you)
    }
}
