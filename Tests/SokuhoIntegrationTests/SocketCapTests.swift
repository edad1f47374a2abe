import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoTestSupport
import Testing

@Suite("Control socket caps, as one user sees them")
struct SocketCapTests {
    @Test("a connection over the per-user cap that already sent a request is answered too_many_connections; the daemon stays up")
    func refusedWithRequest() throws {
        let d = try DaemonHarness.started(socket: "  max_connections_per_user: 2\n")
        // Two connections that are served (the harness's probe connections may still be counted
        // for a moment after they closed).
        func served() throws -> ControlClient {
            var client: ControlClient?
            try waitFor {
                let c = try d.client()
                guard (try? c.call(["op": "status"]))?["ok"] == true else { return false }
                client = c
                return true
            }
            return client!
        }
        var a: ControlClient? = try served()
        let b = try served()
        #expect(try b.call(["op": "status"])["ok"] == true)
        for _ in 0..<3 {
            let third = try d.client()
            let r = try third.call(["op": "report", "report": minimalReport()])
            #expect(r["error"]?["code"] == "too_many_connections", "\(r.canonicalString)")
        }
        #expect(d.process?.isRunning == true, "sokuhod survived: \(d.log)")
        // The CLI does not lose the report: it goes to the spool.
        let cli = try d.cli([
            "report", "--kind", "leak", "--information", "i", "--location", "l", "--circumstances", "c", "--no-prompt",
            "--spool-dir", d.dir + "/spool",
        ])
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout.contains("spool") || cli.stdout.contains("スプール"), "\(cli.stdout)")
        // A place frees up when a connection closes.
        a = nil  // closes it
        _ = a
        try waitFor { (try? d.client().call(["op": "status"]))?["ok"] == true }
        // The probe just closed may still be counted for a moment (b holds the other place).
        try waitFor { (try? d.call(["op": "case.list"]))?["ok"] == true }
    }

    @Test("a 100 KB op name is refused at once, without a suggestion")
    func hugeOp() throws {
        let d = try DaemonHarness.started()
        let r = try d.call(["op": .string(String(repeating: "x", count: 100_000))])
        #expect(r["error"]?["code"] == "unknown_op")
        #expect((r["error"]?["message"]?.stringValue ?? "").utf8.count < 2000, "the error quotes the op bounded")
    }
}
