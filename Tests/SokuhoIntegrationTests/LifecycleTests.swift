import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoTestSupport
import Synchronization
import Testing

@Suite("The daemon's life: SIGTERM, restart, SIGHUP, systemd notify and activation")
struct LifecycleTests {
    @Test("SIGTERM mid-traffic: clean exit, and every acknowledged report is there after restart")
    func sigtermMidTraffic() throws {
        let d = try DaemonHarness.started()
        let acknowledged = Acknowledged()
        let giveUp = Date().addingTimeInterval(20)
        let socketPath = d.socketPath
        // Eight clients on real threads (blocking sockets must not starve the test's own tasks).
        let workers = DispatchGroup()
        for worker in 0..<8 {
            DispatchQueue.global().async(group: workers) {
                var n = 0
                while Date() < giveUp {
                    guard let client = try? ControlClient(path: socketPath, timeoutSeconds: 10) else { return }
                    while Date() < giveUp {
                        n += 1
                        let report = minimalReport(["report_id": .string("w\(worker)-\(n)")])
                        guard let r = try? client.call(["op": "report", "report": report]) else { break }
                        if r["ok"] == true, let id = r["case"]?["id"]?.stringValue {
                            acknowledged.add(id)
                        } else if r["error"]?["code"] == "shutting_down" {
                            return
                        }
                    }
                }
            }
        }
        // SIGTERM lands while traffic flows: after at least 30 acknowledgements.
        while Date() < giveUp, acknowledged.all.count < 30 { usleep(2000) }
        let status = d.stop(signal: SIGTERM)
        #expect(
            status == 0,
            "sokuhod exit status after SIGTERM: \(d.logForFailure)"
        )
        workers.wait()
        let ids = acknowledged.all
        #expect(ids.count >= 30, "traffic was flowing when SIGTERM arrived")
        #expect(Set(ids).count == ids.count)
        #expect(!FileManager.default.fileExists(atPath: d.socketPath), "socket file removed on clean exit")
        try d.start()
        let client = try d.client()
        for id in ids {
            let r = try client.call(["op": "case.get", "id": .string(id)])
            #expect(r["ok"] == true, "acknowledged \(id) lost")
        }
        let after = try d.call(["op": "status"])
        #expect(after["status"]?["cases"]?.intValue ?? 0 >= Int64(ids.count))
        d.stop()
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test("SIGKILL: acknowledged reports survive, a stale socket file does not block restart")
    func sigkill() throws {
        let d = try DaemonHarness.started()
        var ids: [String] = []
        for i in 0..<20 {
            let r = try d.call(["op": "report", "report": minimalReport(["count": .int(Int64(i))])])
            ids.append(try #require(r["case"]?["id"]?.stringValue))
        }
        d.stop(signal: SIGKILL)
        #expect(FileManager.default.fileExists(atPath: d.socketPath))
        try d.start()
        for id in ids { #expect(try d.call(["op": "case.get", "id": .string(id)])["ok"] == true) }
        let r = try d.call(["op": "report", "report": minimalReport()])
        #expect(r["case"]?["id"]?.stringValue?.hasSuffix("-0021") == true)
    }

    @Test("a second daemon on the same socket refuses to start")
    func secondDaemon() throws {
        let d = try DaemonHarness.started()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: DaemonHarness.sokuhod)
        p.arguments = ["--config", d.configPath]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 69)
        #expect(try d.call(["op": "status"])["ok"] == true)
    }

    @Test("SIGHUP reloads roles; a broken file is refused and the previous set stays")
    func reload() throws {
        let d = try DaemonHarness.started(roles: "  reporter:\n    users: [\"*\"]\n")
        let good = try String(contentsOfFile: d.configPath, encoding: .utf8)
        try (good + "\nbogus_key: 1\n").write(toFile: d.configPath, atomically: true, encoding: .utf8)
        kill(d.process!.processIdentifier, SIGHUP)
        try waitFor { d.log.contains("NOT reloaded") }
        #expect(d.log.contains("bogus_key"))
        #expect(try d.call(["op": "status"])["ok"] == true)
        // The previous roles stay active: another user may still report.
        if getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            let allowed = try d.cli(
                ["report", "--kind", "leak", "--information", "i", "--location", "l", "--circumstances", "c", "--no-prompt"], asUID: 65534)
            #expect(allowed.status == 0, "\(allowed.stderr)")
        }
        try good.replacingOccurrences(of: "users: [\"*\"]", with: "users: [someone-else]").write(
            toFile: d.configPath, atomically: true, encoding: .utf8)
        kill(d.process!.processIdentifier, SIGHUP)
        try waitFor { d.log.contains("configuration reloaded") }
        #expect(d.log.contains("changed=roles"))
        // The new roles are in force: as another user (needs root for setpriv), reporting is now refused.
        if getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            let refused = try d.cli(
                ["report", "--kind", "leak", "--information", "i", "--location", "l", "--circumstances", "c", "--no-prompt"], asUID: 65534)
            #expect(refused.status == 77, "\(refused.stderr)")
        }
    }

    @Test("sd_notify: READY=1 arrives once the socket listens; STOPPING=1 on SIGTERM")
    func notify() throws {
        let dir = try DaemonHarness()
        let path = dir.dir + "/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(rc == 0)
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        try dir.start(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"])
        var messages: [String] = []
        func receive() -> String? {
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buf, buf.count, 0)
            return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : nil
        }
        guard let first = receive() else { Issue.record("no notify message"); return }
        messages.append(first)
        #expect(first.contains("READY=1"))
        #expect(first.contains("STATUS="))
        // The watchdog pings at half of WATCHDOG_USEC.
        var sawWatchdog = false
        for _ in 0..<10 { if let m = receive() { messages.append(m); if m.contains("WATCHDOG=1") { sawWatchdog = true; break } } }
        #expect(sawWatchdog)
        #expect(dir.stop() == 0)
        var sawStopping = false
        while let m = receive() { if m.contains("STOPPING=1") { sawStopping = true; break } }
        #expect(sawStopping)
    }

    @Test(
        "socket activation: sokuhod serves a socket passed by systemd (systemd-socket-activate)",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate")))
    func socketActivation() throws {
        let d = try DaemonHarness()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        p.arguments = ["-l", d.socketPath, "--fdname=control", DaemonHarness.sokuhod, "--config", d.configPath]
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { kill(p.processIdentifier, SIGTERM); p.waitUntilExit() }
        try waitFor { FileManager.default.fileExists(atPath: d.socketPath) }
        // The first connection starts the daemon, which takes over the listening socket.
        let r = try d.call(["op": "status"])
        #expect(r["ok"] == true)
        #expect(r["status"]?["socket"]?.stringValue?.contains("socket activation") == true)
        let report = try d.call(["op": "report", "report": minimalReport()])
        #expect(report["ok"] == true)
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` seconds pass; its last answer.
@discardableResult
func poll(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}

/// Like `poll`, but a condition still unmet at the timeout is an error.
func waitFor(timeout: TimeInterval = 30, _ condition: () throws -> Bool) throws {
    if try !poll(timeout: timeout, condition) { throw HarnessError("condition not met within \(timeout) s") }
}

final class Acknowledged: Sendable {
    private let ids = Mutex<[String]>([])
    func add(_ id: String) { ids.withLock { $0.append(id) } }
    var all: [String] { ids.withLock { $0 } }
}
