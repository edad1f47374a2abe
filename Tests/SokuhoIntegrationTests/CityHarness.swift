import Foundation
import SokuhoCore

#if canImport(Glibc)
import Glibc
#endif

/// The real `sokuho-city serve` with a configuration of `contractors` (each with its own
/// secret), and the YAML a contractor's `sokuhod` needs to escalate to it.
final class CityHarness: @unchecked Sendable {
    let dir: String
    let contractors: [String]
    private(set) var secrets: [String: String] = [:]
    private(set) var process: Process?
    private(set) var port = 0

    static var binary: String { (DaemonHarness.sokuho as NSString).deletingLastPathComponent + "/sokuho-city" }
    var configPath: String { dir + "/sokuho-city.yaml" }
    var logPath: String { dir + "/city.log" }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var dbPath: String { dir + "/state/sokuho-city.db" }
    /// The running daemon's process id.
    var pid: Int32? { process.map(\.processIdentifier) }

    init(contractors: [String]) throws {
        self.contractors = contractors
        var template = Array("/tmp/sokuho-city-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        dir = String(cString: p)
        var yaml = "state_dir: \(dir)/state\nlisten: \"127.0.0.1:0\"\ncontractors:\n"
        for name in contractors {
            let secret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let file = dir + "/\(name).secret"
            try secret.write(toFile: file, atomically: true, encoding: .utf8)
            chmod(file, 0o600)
            secrets[name] = secret
            yaml += "  - name: \(name)\n    secret_file: \(file)\n"
        }
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        stop(signal: SIGKILL)
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The `city:` section of a contractor's configuration pointing here, with a poll every second.
    func contractorConfig(_ name: String) throws -> String {
        let file = dir + "/\(name).contractor-secret"
        try secrets[name]!.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        return
            "city:\n  poll_every: 1s\n  webhook:\n    url: http://127.0.0.1:\(port)/hook\n    secret_file: \(file)\n    timeout: 2s\n    connect_timeout: 1s\n"
            + "escalation:\n  retry_schedule: [200ms, 300ms, 400ms, 500ms, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s]\n"
    }

    /// Starts (again on the same port after the first start).
    func start() throws {
        if port != 0 {
            let text = try String(contentsOfFile: configPath, encoding: .utf8)
                .replacingOccurrences(of: "listen: \"127.0.0.1:0\"", with: "listen: \"127.0.0.1:\(port)\"")
            try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["serve", "--config", configPath]
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let h = FileHandle(forWritingAtPath: logPath)!
        h.seekToEndOfFile()
        p.standardError = h
        p.standardOutput = h
        let before = log.count
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let fresh = String(log.dropFirst(before))
            if let line = fresh.split(separator: "\n").last(where: { $0.contains("listening on") }),
                let r = line.range(of: "127.0.0.1:"), let bound = Int(line[r.upperBound...].prefix(while: \.isNumber))
            {
                port = bound
                return
            }
            if !p.isRunning { throw HarnessError("sokuho-city exited: \(log)") }
            usleep(20_000)
        }
        throw HarnessError("sokuho-city did not listen: \(log)")
    }

    func stop(signal: Int32 = SIGTERM) {
        guard let p = process else { return }
        if p.isRunning { kill(p.processIdentifier, signal) }
        p.waitUntilExit()
        process = nil
    }

    /// Runs a `sokuho-city` command with this configuration.
    func cli(_ args: [String]) throws -> DaemonHarness.Run {
        let r = try DaemonHarness.shell(
            ([Self.binary] + args + ["--config", configPath]).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
                .joined(separator: " "))
        return r
    }

    /// `sokuho-city list --json`.
    func cases() throws -> [JSONValue] {
        try JSONParser.parse(try cli(["list", "--json"]).stdout)["cases"]?.arrayValue ?? []
    }

    /// Posts a message signed with `contractor`'s secret, as a sender (or a forger) would.
    func deliver(as contractor: String, id: String, body: String, path: String = "/hook") throws -> HTTPAnswer {
        let secret = try WebhookSignature.Secret(secrets[contractor]!)
        let ts = Int64(Date().timeIntervalSince1970)
        let bytes = Array(body.utf8)
        let headers = [
            ("webhook-id", id), ("webhook-timestamp", String(ts)),
            ("webhook-signature", WebhookSignature.header(id: id, timestamp: ts, body: bytes, secrets: [secret])),
        ]
        return try HTTPAnswer.post(port: port, path: path, headers: headers, body: bytes)
    }

    /// `sokuho-city user add NAME` with the password on standard input (not a terminal).
    func addUser(_ name: String, password: String) throws -> DaemonHarness.Run {
        let q = { (s: String) in "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try DaemonHarness.shell(
            "printf '%s\\n' \(q(password)) | \(q(Self.binary)) user add \(q(name)) --config \(q(configPath))")
    }
}
