import Foundation
import SokuhoCore

#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP endpoint on loopback: either the Python endpoint in Fixtures/ (controllable
/// answers, checked by the reference verifier) or the real `sokuho receive`.
final class EndpointHarness: @unchecked Sendable {
    let dir: String
    let secret: String
    private(set) var process: Process?
    private(set) var port: Int = 0
    let useReceive: Bool

    static let python: String? = {
        for p in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map({ "\($0)/python3" }) + [
            "/usr/bin/python3", "/usr/local/bin/python3",
        ]
        where FileManager.default.isExecutableFile(atPath: p) { return p }
        return nil
    }()

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/endpoint.py").path

    init(useReceive: Bool = false) throws {
        self.useReceive = useReceive
        var template = Array("/tmp/sokuho-ep-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        dir = String(cString: p)
        var key = [UInt8](repeating: 0, count: 32)
        for i in key.indices { key[i] = UInt8.random(in: 0...255) }
        secret = "whsec_" + Data(key).base64EncodedString()
        try secret.write(toFile: secretPath, atomically: true, encoding: .utf8)
        chmod(secretPath, 0o600)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    var secretPath: String { dir + "/secret" }
    var outPath: String { dir + "/received.jsonl" }
    var url: String { "http://127.0.0.1:\(port)/hook" }

    /// YAML for the daemon's `city:` section pointing here.
    var cityConfig: String {
        "city:\n  webhook:\n    url: \(url)\n    secret_file: \(secretPath)\n    timeout: 1s\n    connect_timeout: 1s\n"
    }

    func setMode(_ mode: String) throws { try mode.write(toFile: dir + "/mode", atomically: true, encoding: .utf8) }

    /// Starts (or restarts on the same port).
    func start() throws {
        try? FileManager.default.removeItem(atPath: dir + "/port")
        let p = Process()
        if useReceive {
            p.executableURL = URL(fileURLWithPath: DaemonHarness.sokuho)
            p.arguments = ["receive", "--listen", "127.0.0.1:\(port)", "--secret-file", secretPath, "--out", outPath]
            let err = dir + "/receive.log"
            if !FileManager.default.fileExists(atPath: err) { _ = FileManager.default.createFile(atPath: err, contents: nil) }
            let h = FileHandle(forWritingAtPath: err)!
            h.seekToEndOfFile()
            p.standardError = h
        } else {
            guard let python = Self.python else { throw HarnessError("python3 not found") }
            if port != 0 { try String(port).write(toFile: dir + "/port-request", atomically: true, encoding: .utf8) }
            p.executableURL = URL(fileURLWithPath: python)
            p.arguments = [Self.fixture, dir]
            p.standardError = FileHandle.nullDevice
        }
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if useReceive {
                let log = (try? String(contentsOfFile: dir + "/receive.log", encoding: .utf8)) ?? ""
                if let line = log.split(separator: "\n").last(where: { $0.contains("listening on") }),
                    let r = line.range(of: "127.0.0.1:"), let bound = Int(line[r.upperBound...].prefix(while: \.isNumber))
                {
                    port = bound
                    return
                }
            } else if let text = try? String(contentsOfFile: dir + "/port", encoding: .utf8), let bound = Int(text) {
                port = bound
                return
            }
            usleep(20_000)
        }
        throw HarnessError("endpoint did not start")
    }

    func stop() {
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        process = nil
    }

    /// Every attempt seen by the Python endpoint.
    var attempts: [JSONValue] { lines(dir + "/attempts.jsonl") }
    /// Every message stored by `sokuho receive`.
    var received: [JSONValue] { lines(outPath) }

    private func lines(_ path: String) -> [JSONValue] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
    }
}
