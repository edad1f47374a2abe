import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoTestSupport
import Testing

/// The system's Python, which another user may run (a pyenv shim under /root may not be).
let systemPython = "/usr/bin/python3"

/// One user floods the control socket (a real second Unix user, through setpriv: needs root);
/// another keeps reporting. The flood is cut off at its bounds; the other is served as usual.
@Suite(
    "Control socket under abuse: bounded, and others are still served",
    .serialized,
    .enabled(
        if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
            && FileManager.default.isExecutableFile(atPath: systemPython)))
struct SocketAbuseTests {
    static let flooder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/flood.py").path
    /// A user may buffer a quarter of `max_buffered`: 2 MiB, where 32 half lines of 1 MiB would
    /// hold 32 MiB without the budget.
    static let limits = "  max_connections_per_user: 32\n  idle_timeout: 2s\n  line_timeout: 2s\n  max_buffered: 8MiB\n"

    /// A running flood by `nobody`.
    final class Flood {
        let process = Process()
        let output = Pipe()
        let input = Pipe()
        var first: JSONValue = .null

        init(socket: String, mode: String, count: Int, seconds: Double) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = [
                "--reuid=65534", "--regid=65534", "--clear-groups", systemPython, SocketAbuseTests.flooder,
                socket, mode, String(count), String(seconds),
            ]
            process.standardOutput = output
            process.standardInput = input
            try process.run()
            first = try JSONParser.parse(Self.line(output))
        }

        static func line(_ pipe: Pipe) throws -> String {
            var bytes: [UInt8] = []
            while true {
                let d = pipe.fileHandleForReading.readData(ofLength: 1)
                if d.isEmpty || d.first == 0x0A { break }
                bytes.append(contentsOf: d)
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// Ends the flood and returns its last report.
        func finish() throws -> JSONValue {
            try? input.fileHandleForWriting.close()
            let last = try JSONParser.parse(Self.line(output))
            process.waitUntilExit()
            return last
        }
    }

    /// Latencies in ms of `n` reports by root, each on a new connection, as the CLI does.
    static func reportLatencies(_ d: DaemonHarness, n: Int) throws -> [Double] {
        var out: [Double] = []
        for i in 0..<n {
            let start = Date()
            let r = try d.call(["op": "report", "report": minimalReport(["report_id": .string("quiet-\(UUID().uuidString)-\(i)")])])
            out.append(Date().timeIntervalSince(start) * 1000)
            #expect(r["ok"] == true)
        }
        return out.sorted()
    }

    static func p(_ sorted: [Double], _ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }

    static func rssMiB(_ pid: Int32) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
        }
        return 0
    }

    func daemon() throws -> DaemonHarness {
        let d = try DaemonHarness.started(roles: "  reporter:\n    users: [\"*\"]\n", socket: Self.limits)
        return d
    }

    @Test(
        "a flood of idle connections is capped per user; another user's reports stay fast (robustness defect 3)",
        arguments: ["idle", "slow", "half"])
    func flood(_ mode: String) throws {
        let d = try daemon()
        let pid = try #require(d.process?.processIdentifier)
        _ = try Self.reportLatencies(d, n: 20)  // warm up
        let quiet = try Self.reportLatencies(d, n: 100)
        let rssBefore = Self.rssMiB(pid)
        let flood = try Flood(socket: d.socketPath, mode: mode, count: mode == "half" ? 32 : 1100, seconds: 30)
        let opened = flood.first["opened"]?.intValue ?? 0
        let during = try Self.reportLatencies(d, n: 100)
        let rssDuring = Self.rssMiB(pid)
        // Long enough for the idle and line timeouts (2 s) to have closed what they close; the
        // flooder then reports what the daemon did to its connections.
        usleep(3_000_000)
        let last = try flood.finish()
        print(
            """
            flood \(mode): \(opened) connections opened, \(flood.first["refused"]?.intValue ?? 0) refused at once; \
            quiet user p50 \(String(format: "%.2f", Self.p(quiet, 0.5))) / p99 \(String(format: "%.2f", Self.p(quiet, 0.99))) ms, \
            during the flood p50 \(String(format: "%.2f", Self.p(during, 0.5))) / p99 \(String(format: "%.2f", Self.p(during, 0.99))) ms; \
            RSS \(String(format: "%.1f", rssBefore)) → \(String(format: "%.1f", rssDuring)) MiB; flooder saw \(last.canonicalString)
            """)
        // Cut off at the bounds: at most 32 connections of this user were ever served.
        let answers = last["answers"] ?? .null
        if mode != "half" {
            #expect(
                (answers["too_many_connections"]?.intValue ?? 0) >= Int64(opened) - 32,
                "connections past the per-user cap are refused: \(last.canonicalString)")
        }
        if mode == "slow" {
            // Every connection is closed by the daemon, the slow ones by their line timeout. The
            // "timeout" line itself can be lost: the flooder's next byte after the close meets a
            // reset, which may discard what it had not read yet (seen on a loaded machine).
            #expect(
                (last["closed_by_daemon"]?.intValue ?? 0) >= Int64(opened), "a line that never ends is cut off: \(last.canonicalString)")
        }
        if mode == "half" {
            #expect(rssDuring - rssBefore < 20, "unfinished lines are bounded by the budget: RSS grew \(rssDuring - rssBefore) MiB")
        }
        if mode == "idle" {
            #expect((last["closed_by_daemon"]?.intValue ?? 0) >= Int64(opened), "idle connections are closed: \(last.canonicalString)")
        }
        // The other user was served throughout, within a few times their quiet latency.
        #expect(during.count == 100)
        // (Generous: the rest of the suite runs beside it on two cores; the figures are printed.)
        #expect(Self.p(during, 0.99) < max(10 * Self.p(quiet, 0.99), 2000), "p99 \(Self.p(during, 0.99)) ms during the flood")
        d.stop()
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test("an idle connection is closed after socket.idle_timeout; a slow line after socket.line_timeout")
    func timeouts() throws {
        let d = try daemon()
        let idle = try ControlClient(path: d.socketPath, timeoutSeconds: 10)
        let started = Date()
        #expect(throws: (any Error).self) { _ = try idle.receiveLine() }  // EOF: the daemon closed it
        #expect(Date().timeIntervalSince(started) < 8)
        let slow = try ControlClient(path: d.socketPath, timeoutSeconds: 10)
        try slow.send(Array("{\"op\":".utf8))
        let answer = try JSONParser.parse(try slow.receiveLine())
        #expect(answer["error"]?["code"] == "timeout")
        // A client that keeps sending whole requests is never idle.
        let busy = try d.client()
        for _ in 0..<4 {
            #expect(try busy.call(["op": "status"])["ok"] == true)
            usleep(1_000_000)
        }
    }
}
