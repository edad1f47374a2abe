import ArgumentParser
import SokuhoCore

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "See and manage escalations to the city and other endpoints (送信待ち).",
        subcommands: [OutboxList.self, OutboxRetry.self])
}

struct OutboxList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List escalation messages, newest first, with their delivery state.")

    @Option(help: "Only the messages of this case.") var caseID: String?
    @Option(help: "Only messages in this state: pending, delivered or dead.") var state: String?
    @Option(help: "At most this many (default 200).") var limit: Int?
    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        guard let response = try daemon.call(OutboxListRequest(caseID: caseID, state: state, limit: limit)) else { return }
        for d in response["disabled_endpoints"]?.arrayValue ?? [] {
            print(
                Lang.t(
                    "ALARM: endpoint \(shown(d["endpoint"]?.stringValue)) disabled since \(shown(d["disabled_at"]?.stringValue)) (\(shown(d["reason"]?.stringValue))); after fixing it: sokuho outbox retry --endpoint \(shown(d["endpoint"]?.stringValue))",
                    "警報: 送信先 \(shown(d["endpoint"]?.stringValue)) は \(shown(d["disabled_at"]?.stringValue)) から停止中です（\(shown(d["reason"]?.stringValue))）。修正後: sokuho outbox retry --endpoint \(shown(d["endpoint"]?.stringValue))"
                ))
        }
        let messages = response["messages"]?.arrayValue ?? []
        if messages.isEmpty { print(Lang.t("No messages.", "メッセージはありません。")); return }
        for m in messages { print(OutboxFormatter.line(m)) }
    }
}

struct OutboxRetry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send dead-lettered messages again (leads only).",
        discussion: """
            Without arguments, every dead message is re-queued and every endpoint disabled by a \
            410 answer is enabled again. With MESSAGE_ID, only that message; with --endpoint, \
            only that endpoint (re-enabled, its waiting messages sent at once).
            """)

    @Argument(help: "A message id (msg_…); all dead messages when omitted.") var messageID: String?
    @Option(help: "Only this endpoint (and re-enable it).") var endpoint: String?
    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        guard let response = try daemon.call(OutboxRetryRequest(messageID: messageID, endpoint: endpoint)) else { return }
        let n = response["requeued"]?.intValue ?? 0
        print(Lang.t("Re-queued \(n) message(s); they are being sent now.", "\(n) 件を再送キューに入れました。これから送信します。"))
    }
}

enum OutboxFormatter {
    static func line(_ m: JSONValue) -> String {
        let state = m["state"]?.stringValue ?? "?"
        let stateText: String
        switch state {
        case "delivered":
            stateText = Lang.t("delivered \(shown(m["delivered_at"]?.stringValue))", "送信済 \(shown(m["delivered_at"]?.stringValue))")
        case "dead":
            stateText = Lang.t(
                "DEAD (undelivered; sokuho outbox retry \(shown(m["message_id"]?.stringValue)))", "送信不能（sokuho outbox retry で再送）")
        default:
            stateText = Lang.t(
                "pending, next try \(shown(m["next_attempt_at"]?.stringValue ?? "-"))",
                "送信待ち、次回 \(shown(m["next_attempt_at"]?.stringValue ?? "-"))")
        }
        var s =
            "  \(shown(m["case_id"]?.stringValue)) #\(m["sequence"]?.intValue ?? 0) \(shown(m["type"]?.stringValue)) → \(shown(m["endpoint"]?.stringValue)): \(stateText), "
        s += Lang.t("\(m["attempts"]?.intValue ?? 0) attempt(s)", "試行 \(m["attempts"]?.intValue ?? 0) 回")
        if state != "delivered", let e = m["last_error"]?.stringValue { s += " — \(shown(e))" }
        return s
    }
}
