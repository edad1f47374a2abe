import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// The daemon's CPU time in clock ticks (user + system), from /proc/PID/stat.
func cpuTicks(pid: Int32) -> Int? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // After the command: state(0) ppid(1) … utime(11) stime(12).
    guard fields.count > 12, let u = Int(fields[11]), let s = Int(fields[12]) else { return nil }
    return u + s
}

/// The CPU ticks a second the process uses over the next 5 s (printed as `label`).
func idleTicksPerSecond(pid: Int32, _ label: String) throws -> Double {
    let start = try #require(cpuTicks(pid: pid))
    let began = Date()
    usleep(5_000_000)
    let ticks = try #require(cpuTicks(pid: pid)) - start
    let seconds = Date().timeIntervalSince(began)
    print("\(label): \(ticks) ticks in \(String(format: "%.1f", seconds)) s")
    return Double(ticks) / seconds
}

@Suite("Quiet when idle, also after activity")
struct IdleTests {
    @Test(
        "after a report (and its escalation), the idle daemon uses at most a few CPU ticks per second (robustness defect 1)",
        .enabled(if: EndpointHarness.python != nil))
    func idleAfterReport() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let d = try DaemonHarness.started(extra: city.cityConfig)
        let pid = try #require(d.process?.processIdentifier)
        let r = try d.call(["op": "report", "report": minimalReport()])
        #expect(r["ok"] == true)
        // The work is done when the city has the first report and the case was changed again.
        try waitFor { city.received.count == 1 }
        _ = try d.call(["op": "case.update", "id": r["case"]?["id"] ?? .null, "fields": ["count": 3]])
        try waitFor { city.received.count == 2 }
        usleep(2_000_000)  // let the last delivery be recorded and the workers settle
        let rate = try idleTicksPerSecond(pid: pid, "idle after activity")
        #expect(rate < 5, "sokuhod used \(rate) CPU ticks a second while idle")
    }

    @Test(
        "a message waiting behind an undelivered one, or in flight, does not make the worker poll (attack review finding 1)",
        .enabled(if: EndpointHarness.python != nil))
    func idleWhileBlocked() throws {
        let city = try EndpointHarness()
        try city.start()
        try city.setMode("500")
        // The first attempt fails; the next one is 60 s away.
        let d = try DaemonHarness.started(extra: city.cityConfig + "escalation:\n  retry_schedule: [60s, 60s]\n")
        let pid = try #require(d.process?.processIdentifier)
        let r = try d.call(["op": "report", "report": minimalReport()])
        try waitFor { city.attempts.count == 1 }
        // A second message for the case: due at once, but blocked behind the first.
        _ = try d.call(["op": "case.update", "id": r["case"]?["id"] ?? .null, "fields": ["count": 3]])
        try waitFor { (try? d.call(["op": "outbox.list"]))?["count"]?.intValue == 2 }
        usleep(1_000_000)
        let rate = try idleTicksPerSecond(pid: pid, "idle with a blocked message")
        #expect(rate < 5, "sokuhod used \(rate) CPU ticks a second while a message waited")
        #expect(city.attempts.count == 1, "nothing was sent in between")
    }

    @Test(
        "once quiet after start and after each stretch of activity, the daemon gives memory back, and its store still answers",
        .enabled(if: EndpointHarness.python != nil))
    func memoryReleasedWhenQuiet() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let d = try DaemonHarness.started(extra: city.cityConfig)
        let released = { d.log.components(separatedBy: "memory released while idle").count - 1 }
        try waitFor { released() >= 1 }  // after start (and after the harness's probes)
        #expect(d.log.contains("rss_anon_kib_after="))
        let before = released()
        let r = try d.call(["op": "report", "report": minimalReport()])
        try waitFor { city.received.count == 1 }
        // The delivery is recorded after the city has it: a release follows that, when quiet.
        func releasedAfterDelivery() -> Bool {
            let log = d.log
            guard let delivered = log.range(of: "escalation delivered", options: .backwards),
                let release = log.range(of: "memory released while idle", options: .backwards)
            else { return false }
            return release.lowerBound > delivered.lowerBound
        }
        try waitFor { released() > before && releasedAfterDelivery() }
        // The reader connections were closed: reads and writes open them again.
        #expect(try d.call(["op": "case.get", "id": r["case"]?["id"] ?? .null])["ok"] == true)
        #expect(try d.call(["op": "report", "report": minimalReport()])["ok"] == true)
        try waitFor { city.received.count == 2 }
        #expect(d.stop() == 0, "\(d.logForFailure)")
    }
}
