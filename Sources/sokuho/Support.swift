import ArgumentParser
import Foundation
import SokuhoClient
import SokuhoConfig
import SokuhoCore
import SokuhoSpool

/// Options every command that talks to the daemon shares.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("The daemon's socket (default: $SOKUHO_SOCKET, else /run/sokuho/sokuhod.sock).", valueName: "PATH"))
    var socket: String?

    var socketPath: String { ControlClient.socketPath(option: socket, environment: ProcessInfo.processInfo.environment) }
}

/// Exit statuses, as documented in `sokuho --help`.
enum Exit {
    static let verifyFailed: Int32 = 1
    static let notFound: Int32 = 2
    static let usage: Int32 = 64
    static let invalid: Int32 = 65
    static let noInput: Int32 = 66
    static let unavailable: Int32 = 69
    static let software: Int32 = 70
    static let ioError: Int32 = 74
    static let tempFail: Int32 = 75
    static let forbidden: Int32 = 77

    static func forCode(_ code: String) -> Int32 {
        switch ErrorCode(rawValue: code) {
        case .notFound: notFound
        case .forbidden: forbidden
        case .storageFailure: ioError
        case .shuttingDown, .tooManyConnections, .tooBusy, .timeout: tempFail
        case .internal, .none: software
        default: invalid
        }
    }
}

/// The user's language for messages.
enum Lang {
    static var japanese: Bool {
        let env = ProcessInfo.processInfo.environment
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let v = env[key], !v.isEmpty { return v.hasPrefix("ja") }
        }
        return false
    }

    static func t(_ en: String, _ ja: String) -> String { japanese ? ja : en }
}

/// Writes `sokuho: MESSAGE` to standard error; messages quote input (names, values, the
/// daemon's texts), so controls are escaped as on standard output.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("sokuho: \(TerminalSafe.escape(message, allowNewlines: true))\n".utf8))
}

/// Sends one request and returns the successful response, or prints the daemon's error and
/// exits with the matching status.
func callDaemon(_ request: some ControlRequest, options: ConnectionOptions) throws -> JSONValue {
    switch sendToDaemon(request, options: options) {
    case .success(let r): return try acceptResponse(r)
    case .failure(let e):
        if case .unreachable = e {
            printError(
                Lang.t(
                    "\(e). Is sokuhod running? Use --socket or SOKUHO_SOCKET to point at it.",
                    "sokuhod に接続できません（\(options.socketPath)）: \(e)。デーモンが動いているか確認し、--socket か SOKUHO_SOCKET で指定してください。"))
        } else {
            printError("\(e)")
        }
        throw ExitCode(Exit.unavailable)
    }
}

/// One request on a new connection, without interpreting the answer.
func sendToDaemon(_ request: some ControlRequest, options: ConnectionOptions) -> Result<JSONValue, ClientError> {
    Result<JSONValue, ClientError> { () throws(ClientError) -> JSONValue in
        let client = try ControlClient(path: options.socketPath)
        return try client.call(request.json)
    }
}

/// Returns a successful response, or prints the daemon's error and exits with the matching status.
func acceptResponse(_ response: JSONValue) throws -> JSONValue {
    if response["ok"]?.boolValue == true { return response }
    let error = response["error"] ?? .null
    let code = error["code"]?.stringValue ?? "internal"
    let message =
        Lang.japanese ? (error["message_ja"]?.stringValue ?? error["message"]?.stringValue ?? "") : (error["message"]?.stringValue ?? "")
    let field = error["field"]?.stringValue.map { " [field: \(shown($0))]" } ?? ""
    printError("\(shown(message))\(field) (\(shown(code)))")
    throw ExitCode(Exit.forCode(code))
}

/// Where the spool is, for commands that use it without the daemon.
struct SpoolOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The spool directory (default: $SOKUHO_SPOOL, else spool.dir of $SOKUHO_CONFIG or /etc/sokuho/sokuhod.yaml, else /var/spool/sokuho).",
            valueName: "DIR"))
    var spoolDir: String?

    var layout: SpoolLayout {
        if let spoolDir, !spoolDir.isEmpty { return SpoolLayout(root: spoolDir) }
        let env = ProcessInfo.processInfo.environment
        if let dir = env["SOKUHO_SPOOL"], !dir.isEmpty { return SpoolLayout(root: dir) }
        let file = env["SOKUHO_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/sokuho/sokuhod.yaml"
        if access(file, R_OK) == 0, let config = try? Configuration.load(file: file) { return SpoolLayout(root: config.spoolDir) }
        return SpoolLayout(root: "/var/spool/sokuho")
    }
}

/// Prints a JSON value for `--json`, pretty enough for people and exact for programs. Strings
/// keep their value; DEL, C1 and bidi controls in them are written as `\u` escapes.
func printJSON(_ value: JSONValue) {
    Swift.print(terminalSafeJSON(value.canonicalString))
}

/// The value of a `--count` flag: a whole number, or "unknown" (不明) for null.
func countFlag(_ text: String) throws -> JSONValue {
    if ["unknown", "不明", "null", "?"].contains(text.lowercased()) { return .null }
    if let n = Int64(text) { return .int(n) }
    printError(
        Lang.t("--count must be a whole number or \"unknown\", not \"\(text)\"", "--count は整数か \"unknown\" で指定してください（\"\(text)\" は使えません）"))
    throw ExitCode(Exit.usage)
}
