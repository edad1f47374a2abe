import ArgumentParser
import Foundation
import SokuhoCore
import SokuhoReceiver

struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Run the city's webhook receiver: verify, de-duplicate and store escalations.",
        discussion: """
            A small HTTP server for the receiving side (the city). Each POST must carry a valid
            Standard Webhooks signature for one of the secrets and a timestamp within 5 minutes.
            Each verified message is appended as one JSON line to --out and answered 200 only
            after the line is on disk; a message whose webhook-id was already stored is answered
            200 and not written again; anything else is answered 401 with the reason.
            Stop with Ctrl-C.

            Example:
              sokuho receive --listen 127.0.0.1:8080 --secret-file city.secret --out received.jsonl
            """)

    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "ADDR:PORT")) var listen: String
    @Option(help: ArgumentHelp("File with the whsec_ secret(s), one per line.", valueName: "FILE")) var secretFile: String
    @Option(help: ArgumentHelp("JSON-lines file the verified messages are appended to.", valueName: "FILE")) var out: String

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            printError(Lang.t("--listen must look like 127.0.0.1:8080", "--listen は 127.0.0.1:8080 の形式で指定してください"))
            throw ExitCode(Exit.usage)
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard let text = try? String(contentsOfFile: secretFile, encoding: .utf8) else {
            printError(Lang.t("cannot read \(secretFile)", "\(secretFile) を読めません"))
            throw ExitCode(Exit.noInput)
        }
        let secrets: [WebhookSignature.Secret]
        do { secrets = try WebhookSignature.Secret.list(text) } catch {
            printError("\(secretFile): \(error)")
            throw ExitCode(Exit.invalid)
        }
        let receiver: WebhookReceiver
        do {
            receiver = try WebhookReceiver(settings: .init(host: host, port: port, secrets: secrets, outPath: out)) { line in
                let p = line["payload"] ?? .null
                let d = p["data"] ?? .null
                let summary = "\(p["type"]?.stringValue ?? "?") \(d["case_id"]?.stringValue ?? "?") #\(d["sequence"]?.intValue ?? 0) (\(d["kind_ja"]?.stringValue ?? "")) \(d["information"]?.stringValue ?? "")"
                FileHandle.standardError.write(Data((Lang.t("received: ", "受信: ") + summary + "\n").utf8))
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
        FileHandle.standardError.write(Data(Lang.t("sokuho receive: listening on \(host):\(bound), writing to \(out)\n",
                                                   "sokuho receive: \(host):\(bound) で受信中、\(out) に記録します\n").utf8))
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
}
