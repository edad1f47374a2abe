import ArgumentParser
import Foundation
import SokuhoCore
import SokuhoReceiver
import SokuhoWebhook

struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Run the city's webhook receiver: verify, de-duplicate and store escalations.",
        discussion: """
            A small HTTP server for the receiving side (the city). Each POST must carry a valid \
            Standard Webhooks signature for one of the secrets and a timestamp within 5 minutes. \
            Each verified message is appended as one JSON line to --out and answered 200 only \
            after the line is on disk; a message whose webhook-id and body were already stored \
            is answered 200 and not written again; a webhook-id already stored with another \
            body (from the same secret) is answered 409 and not stored; a bad signature or \
            timestamp is answered 401 with the reason.

            The secret file must be a regular file owned by root or by you that group and others \
            cannot read or write (chmod 600).

            Limits: a client that connects when --max-connections are open takes the place of \
            the connection that has waited longest for a request; a request must arrive whole \
            within --request-timeout, the next one within --idle-timeout.

            Stop with Ctrl-C.

            Example:
              sokuho receive --listen 127.0.0.1:8080 --secret-file city.secret \\
                --out received.jsonl
            """)

    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "ADDR:PORT")) var listen: String
    @Option(help: ArgumentHelp("File with the whsec_ secret(s), one per line.", valueName: "FILE")) var secretFile: String
    @Option(help: ArgumentHelp("JSON-lines file the verified messages are appended to.", valueName: "FILE")) var out: String
    @Option(help: ArgumentHelp("Connections open at once (lowered to what the open-file limit allows).", valueName: "N"))
    var maxConnections = 1024
    @Option(help: ArgumentHelp("Seconds a client may take from a request's first byte to its last.", valueName: "SECONDS"))
    var requestTimeout = 10.0
    @Option(help: ArgumentHelp("Seconds a connection may stay open without a request.", valueName: "SECONDS"))
    var idleTimeout = 30.0
    @Option(help: ArgumentHelp("Largest body accepted, in bytes.", valueName: "BYTES"))
    var maxBodyBytes = 1 << 20

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port)
        else {
            printError(Lang.t("--listen must look like 127.0.0.1:8080", "--listen は 127.0.0.1:8080 の形式で指定してください"))
            throw ExitCode(Exit.usage)
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard WebhookReceiver.Settings.validTimeout(requestTimeout), WebhookReceiver.Settings.validTimeout(idleTimeout) else {
            printError(
                Lang.t(
                    "--request-timeout and --idle-timeout must be more than 0 and at most 86400 seconds",
                    "--request-timeout と --idle-timeout は 0 より大きく 86400 秒以下で指定してください"))
            throw ExitCode(Exit.usage)
        }
        guard (1...1_000_000).contains(maxConnections), (1...(64 << 20)).contains(maxBodyBytes) else {
            printError(
                Lang.t(
                    "--max-connections must be 1 to 1000000 and --max-body-bytes 1 to 67108864",
                    "--max-connections は 1〜1000000、--max-body-bytes は 1〜67108864 で指定してください"))
            throw ExitCode(Exit.usage)
        }
        let secrets: [WebhookSignature.Secret]
        do { secrets = try SecretFile.load(secretFile) } catch {
            printError(Self.describe(error, file: secretFile))
            switch error {
            case .cannotOpen, .notRegular, .tooLarge, .notUTF8: throw ExitCode(Exit.noInput)
            case .groupOrOtherAccess, .wrongOwner: throw ExitCode(Exit.forbidden)
            case .invalid: throw ExitCode(Exit.invalid)
            }
        }
        var settings = WebhookReceiver.Settings(host: host, port: port, secrets: secrets, outPath: out)
        settings.maxConnections = maxConnections
        settings.requestTimeoutSeconds = requestTimeout
        settings.idleTimeoutSeconds = idleTimeout
        settings.maxBodyBytes = maxBodyBytes
        let receiver: WebhookReceiver
        do {
            receiver = try WebhookReceiver(settings: settings) { line in
                let p = line["payload"] ?? .null
                let d = p["data"] ?? .null
                let summary =
                    "\(p["type"]?.stringValue ?? "?") \(d["case_id"]?.stringValue ?? "?") #\(d["sequence"]?.intValue ?? 0) (\(d["kind_ja"]?.stringValue ?? "")) \(d["information"]?.stringValue ?? "")"
                FileHandle.standardError.write(Data((Lang.t("received: ", "受信: ") + Self.printable(summary) + "\n").utf8))
            }
        } catch {
            printError("\(error)")
            throw ExitCode(Exit.ioError)
        }
        let bound: Int
        do { bound = try await receiver.start() } catch {
            printError(Lang.t("cannot listen on \(listen): \(error)", "\(listen) で待ち受けできません: \(error)"))
            throw ExitCode(Exit.unavailable)
        }
        FileHandle.standardError.write(
            Data(
                Lang.t(
                    "sokuho receive: listening on \(host):\(bound), writing to \(out)\n",
                    "sokuho receive: \(host):\(bound) で受信中、\(out) に記録します\n"
                ).utf8))
        if receiver.connectionCap < maxConnections {
            FileHandle.standardError.write(
                Data(
                    Lang.t(
                        "sokuho receive: at most \(receiver.connectionCap) connections (the open-file limit allows no more)\n",
                        "sokuho receive: 同時接続は最大 \(receiver.connectionCap) です（開けるファイル数の上限による）\n"
                    ).utf8))
        }
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig)
            s.setEventHandler { Task { await receiver.stop() } }
            s.resume()
            return s
        }
        try await receiver.wait()
        withExtendedLifetime(sources) {}
    }

    /// Text from a message, safe to print on a terminal: control characters (C0, DEL, C1) and
    /// bidirectional overrides are shown as `\u{…}` so a report cannot forge or hide lines.
    static func printable(_ text: String) -> String { TerminalSafe.escape(text) }

    /// Why the secret file is refused, in the user's language.
    static func describe(_ failure: SecretFile.Failure, file: String) -> String {
        switch failure {
        case .cannotOpen(let reason):
            Lang.t("cannot read the secret file \(file): \(reason)", "秘密鍵ファイル \(file) を読めません: \(reason)")
        case .notRegular:
            Lang.t("the secret file \(file) is not a regular file", "秘密鍵ファイル \(file) は通常のファイルではありません")
        case .groupOrOtherAccess(let mode):
            Lang.t(
                "the secret file \(file) is accessible by group or others (mode \(String(mode, radix: 8))); run chmod 600 \(file)",
                "秘密鍵ファイル \(file) はグループまたは他のユーザーが読み書きできます（モード \(String(mode, radix: 8))）。chmod 600 \(file) を実行してください")
        case .wrongOwner(let uid, let expected):
            Lang.t(
                "the secret file \(file) is owned by uid \(uid), not by root or by you (uid \(expected)); refusing to use it",
                "秘密鍵ファイル \(file) の所有者は uid \(uid) で、root でもあなた（uid \(expected)）でもないため使用しません")
        case .tooLarge:
            Lang.t(
                "the secret file \(file) is larger than \(SecretFile.maxBytes) bytes", "秘密鍵ファイル \(file) が \(SecretFile.maxBytes) バイトを超えています"
            )
        case .notUTF8:
            Lang.t("the secret file \(file) is not UTF-8 text", "秘密鍵ファイル \(file) が UTF-8 のテキストではありません")
        case .invalid(let reason):
            "\(file): \(reason)"
        }
    }
}
