import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Mixed bursts through the socket and the spool while sokuhod is killed with SIGKILL at random
/// moments, many rounds, with `sokuho receive` as the city. Sizes: `SOKUHO_CRASH_REPORTS`
/// (socket reports, default 400) and `SOKUHO_CRASH_FILES` (spool files, default 200 here).
@Suite("Crash harness: socket and spool under SIGKILL; nothing acknowledged is lost, nothing doubled, every message arrives")
struct MixedCrashTests {
    static let reports = Int(ProcessInfo.processInfo.environment["SOKUHO_CRASH_REPORTS"] ?? "") ?? 400
    static let files = Int(ProcessInfo.processInfo.environment["SOKUHO_CRASH_FILES"] ?? "") ?? 200

    @Test("acknowledged reports exist exactly once, files are accounted for, the chain verifies, the city gets every message")
    func mixed() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let d = try DaemonHarness.started(extra: city.cityConfig + EscalationTests.fastRetries)
        let acked = LockedBox<Set<String>>([])
        let clientsDone = DispatchGroup()
        let clients = 4
        // Socket clients: each report is retried under the same report_id until acknowledged.
        for c in 0..<clients {
            clientsDone.enter()
            Thread {
                defer { clientsDone.leave() }
                var i = c
                while i < Self.reports {
                    let rid = "crash-socket-\(i)"
                    let r = try? ControlClient(path: d.socketPath, timeoutSeconds: 5).call([
                        "op": "report", "report": minimalReport(["report_id": .string(rid), "count": .int(Int64(i))]),
                    ])
                    if r?["ok"] == true {
                        acked.mutate { _ = $0.insert(rid) }
                        i += clients
                    } else {
                        usleep(20_000)
                    }
                }
            }.start()
        }
        // The spool writer.
        clientsDone.enter()
        Thread {
            defer { clientsDone.leave() }
            for i in 0..<Self.files {
                let bytes =
                    i % 9 == 4
                    ? Array("{\"kind\":".utf8)
                    : Array(#"{"kind":"loss","information":"USB \#(i)","location":"駅","circumstances":"置き忘れ"}"#.utf8)
                try? d.drop(String(format: "mixed-%05d.json", i), bytes)
                if i % 10 == 0 { usleep(UInt32.random(in: 1_000...30_000)) }
            }
        }.start()
        // The killer.
        let kills = try d.killRepeatedly(until: clientsDone.wait(timeout:), every: 60...300, pause: 0...40_000)
        #expect(d.wait(timeout: 60) { d.files("incoming").isEmpty })
        // Everything queued reaches the city.
        try waitFor(timeout: 120) {
            let r = try d.call(["op": "outbox.list", "state": "pending", "limit": 10])
            return r["count"] == 0
        }
        let status = try d.call(["op": "status"])
        d.stop()

        // Socket: every acknowledged report exists, exactly once.
        let ids = try DaemonHarness.shell("sqlite3 \(d.dbPath) \"SELECT report_id FROM report_ids WHERE report_id LIKE 'crash-socket-%'\"")
        let stored = ids.stdout.split(separator: "\n").map(String.init)
        #expect(Set(stored).count == stored.count)
        #expect(acked.value.isSubset(of: Set(stored)), "acknowledged but missing: \(acked.value.subtracting(stored).prefix(5))")
        #expect(stored.count == Self.reports)  // every report was eventually acknowledged
        // Spool: every file accounted for.
        let accepted = d.files("accepted").count, rejected = d.rejectedFiles.count
        #expect(accepted + rejected == Self.files, "\(accepted) + \(rejected) != \(Self.files)")
        // One case per acknowledged report and per accepted file.
        #expect(status["status"]?["cases"]?.intValue == Int64(Self.reports + accepted))
        // Every message reached the city exactly once, by webhook-id.
        let outbox = try DaemonHarness.shell("sqlite3 \(d.dbPath) \"SELECT message_id FROM outbox WHERE state = 'delivered'\"").stdout
            .split(separator: "\n").map(String.init)
        let all = try DaemonHarness.shell("sqlite3 \(d.dbPath) \"SELECT COUNT(*) FROM outbox\"").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(String(outbox.count) == all, "undelivered messages remain")
        let received = city.received.compactMap { $0["webhook_id"]?.stringValue }
        #expect(Set(received) == Set(outbox), "received \(received.count), delivered \(outbox.count)")
        #expect(received.count == Set(received).count)  // the receiver stored each webhook-id once
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
        print(
            "mixed crash harness: \(Self.reports) socket reports, \(Self.files) spool files, \(kills) SIGKILLs, \(outbox.count) messages delivered"
        )
    }
}
