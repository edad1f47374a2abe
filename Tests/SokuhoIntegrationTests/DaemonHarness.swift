import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Starts the real `sokuhod` on a temporary directory and talks to it as users do: through its
/// socket (with the same client the CLI uses) and by running the real `sokuho` binary.
final class DaemonHarness: @unchecked Sendable {
    let dir: String
    let configPath: String
    let socketPath: String
    var dbPath: String { dir + "/state/sokuho.db" }
    var logPath: String { dir + "/sokuhod.log" }
    private(set) var process: Process?

    /// The directory holding the built executables (next to the test bundle).
    static let binDir: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = (exe as NSString).deletingLastPathComponent
        while !FileManager.default.fileExists(atPath: dir + "/sokuhod"), dir != "/" {
            dir = (dir as NSString).deletingLastPathComponent
        }
        return dir
    }()

    static var sokuhod: String { binDir + "/sokuhod" }
    static var sokuho: String { binDir + "/sokuho" }

    /// Creates a temporary setup. `roles` is the YAML of the `roles:` section.
    /// `socket` holds more YAML lines of the `socket:` section (limits), each indented by two spaces.
    init(roles: String = "  reporter:\n    users: [\"*\"]\n", extra: String = "", socket: String = "") throws {
        var template = Array("/tmp/sokuho-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        dir = String(cString: p)
        chmod(dir, 0o755)
        configPath = dir + "/sokuhod.yaml"
        socketPath = dir + "/run/sokuhod.sock"
        try FileManager.default.createDirectory(
            atPath: dir + "/run", withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        let config = """
            state_dir: state
            socket:
              path: run/sokuhod.sock
              mode: "0666"
            \(socket)
            spool:
              dir: spool
            playbooks:
              dir: playbooks
            roles:
            \(roles)
            log:
              level: debug
            \(extra)
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A harness with its daemon started (by default everyone reports); the arguments as `init`'s.
    static func started(roles: String = "  reporter:\n    users: [\"*\"]\n", extra: String = "", socket: String = "") throws
        -> DaemonHarness
    {
        let d = try DaemonHarness(roles: roles, extra: extra, socket: socket)
        try d.start()
        return d
    }

    /// Kills the daemon with SIGKILL and starts it again, at random moments, until `waitDone`
    /// (a group's or semaphore's `wait(timeout:)`) says the work is done; returns how many
    /// times it was killed.
    func killRepeatedly(
        until waitDone: (DispatchTime) -> DispatchTimeoutResult, every interval: ClosedRange<Int>,
        pause: ClosedRange<UInt32>
    ) throws -> Int {
        var kills = 0
        while waitDone(.now() + .milliseconds(Int.random(in: interval))) == .timedOut {
            stop(signal: SIGKILL)
            kills += 1
            usleep(UInt32.random(in: pause))
            try start()
        }
        return kills
    }

    /// Starts the daemon and waits until its socket answers.
    func start(environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.sokuhod)
        p.arguments = ["--config", configPath]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "LISTEN_FDS")
        env.removeValue(forKey: "LISTEN_PID")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = FileHandle(forWritingAtPath: logPath)!
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = log
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if !p.isRunning { throw HarnessError("sokuhod exited with \(p.terminationStatus): \(self.log)") }
            if (try? ControlClient(path: socketPath)) != nil { return }
            usleep(20_000)
        }
        throw HarnessError("sokuhod did not listen within 30 s: \(self.log)")
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// What a failed test should show of the log: the runtime's crash report (the fatal error
    /// and the crashed thread's frames) when there is one, otherwise the last lines.
    var logForFailure: String {
        let lines = log.split(separator: "\n", omittingEmptySubsequences: false)
        var picked: [Substring] = lines.filter { $0.contains("Fatal error") || $0.contains("Program crashed") }
        if let crashed = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Thread") && $0.hasSuffix("crashed:") }
        ) {
            picked += lines[crashed..<min(lines.count, crashed + 40)]
        }
        return (picked.isEmpty ? Array(lines.suffix(60)) : picked).joined(separator: "\n")
    }

    /// Sends a signal and waits for the exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard let p = process else { return -1 }
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        process = nil
        return p.terminationStatus
    }

    func client() throws -> ControlClient { try ControlClient(path: socketPath, timeoutSeconds: 20) }

    /// One request on a new connection.
    func call(_ request: JSONValue) throws -> JSONValue { try client().call(request) }

    /// Sends raw bytes as one request and returns the parsed response line.
    func raw(_ bytes: [UInt8], on client: ControlClient? = nil) throws -> JSONValue {
        let c = try client ?? self.client()
        try c.send(bytes)
        return try JSONParser.parse(try c.receiveLine())
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the real `sokuho` CLI, optionally as another user (via setpriv, needs root).
    func cli(_ args: [String], stdin: String? = nil, environment: [String: String] = [:], asUID: UInt32? = nil) throws -> Run {
        let p = Process()
        var env = ProcessInfo.processInfo.environment
        env["SOKUHO_SOCKET"] = socketPath
        env["LANG"] = "C.UTF-8"
        env.removeValue(forKey: "LC_ALL")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let uid = asUID {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            p.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", Self.sokuho] + args
        } else {
            p.executableURL = URL(fileURLWithPath: Self.sokuho)
            p.arguments = args
        }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Runs a shell command (sqlite3 for tamper tests).
    static func shell(_ command: String) throws -> Run {
        let r = try SokuhoTestSupport.shell(command)
        return Run(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Realistic reports: the public municipal incidents in Fixtures/, reduced to report fields.
enum SampleIncidents {
    static let all: [JSONValue] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/incidents-sample.jsonl")
            .path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> JSONValue? in
            guard case .object(var o)? = try? JSONParser.parse(String(line)) else { return nil }
            for k in ["source", "variant", "persons"] { o.removeValue(forKey: k) }
            if o["count"]?.isNull ?? true { o["count_precision"] = .null }
            return .object(o)
        }
    }()
}
