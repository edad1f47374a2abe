import Foundation
import SokuhoClient
import SokuhoCore

/// Side by side with Prometheus Alertmanager, from the same run (docs/performance.md).
enum PeerComparison {
    struct Ours {
        var receiptP99: Double
        var rssMiB: Double
    }

    static func run(bin: String, dir: String, events: Int, burst: Int, ours: Ours) async throws -> [(String, String, JSONValue)] {
        guard AlertmanagerPeer.binary != nil else {
            return [("peer: Alertmanager", "not installed (apt-get install prometheus-alertmanager); skipped", .null)]
        }
        var out: [(String, String, JSONValue)] = []
        var am = try AlertmanagerPeer(dir: dir + "/am")
        try am.start()
        defer { am.kill9() }

        // Event → webhook latency, one at a time.
        var latency: [Double] = []
        for i in 0..<events {
            let key = "lat-\(i)"
            let t0 = DispatchTime.now().uptimeNanoseconds
            try am.post([key])
            guard let at = am.wait(for: [key], timeout: 10).first else { throw Bench.Failure("alertmanager lost event \(key)") }
            latency.append(Double(at - t0) / 1e6)
        }
        let amP99 = Bench.percentile(latency, 0.99)
        out.append(("peer Alertmanager: event → webhook (ms)", Bench.p(latency), Bench.pj(latency)))

        // Burst: many events at once, until the last webhook arrives.
        let keys = (0..<burst).map { "burst-\($0)" }
        let t0 = DispatchTime.now().uptimeNanoseconds
        for chunk in stride(from: 0, to: keys.count, by: 100) { try am.post(Array(keys[chunk..<min(keys.count, chunk + 100)])) }
        let arrived = am.wait(for: keys, timeout: 120)
        let amRate = Double(arrived.count) / (Double((arrived.max() ?? t0) - t0) / 1e9)
        out.append(
            (
                "peer Alertmanager: burst of \(burst) events end to end (events/s)",
                String(format: "%.0f  (%d arrived)", amRate, arrived.count),
                ["events_per_second": .double(amRate.rounded()), "arrived": .int(Int64(arrived.count))]
            ))

        // Idle memory.
        try await Task.sleep(for: .seconds(2))
        let amRSS = ProcessFigures.rssMiB(pid: am.process!.processIdentifier)
        out.append(("peer Alertmanager: idle RSS (MiB)", String(format: "%.1f", amRSS), .double((amRSS * 10).rounded() / 10)))

        // Survival: receiver down, 10 events, SIGKILL, restart, receiver up.
        am.receiver.setUp(false)
        let survivors = (0..<10).map { "kill-\($0)" }
        try am.post(survivors)
        try await Task.sleep(for: .milliseconds(1500))
        am.kill9()
        try am.start()
        am.receiver.setUp(true)
        let amSurvived = am.wait(for: survivors, timeout: 15).count
        out.append(("peer Alertmanager: undelivered events surviving SIGKILL + restart", "\(amSurvived) of 10", .int(Int64(amSurvived))))

        // Ours, the same survival test, with its own receiver.
        let oursSurvived = try await oursSurvival(bin: bin, dir: dir + "/survival")
        out.append(("sokuhod: undelivered reports surviving SIGKILL + restart", "\(oursSurvived) of 10", .int(Int64(oursSurvived))))

        // Ours, burst end to end to the verifying receiver, measured in the main run.
        out.append(
            (
                "ratio: report→receipt p99, sokuhod / Alertmanager", String(format: "%.2f", ours.receiptP99 / amP99),
                .double(ours.receiptP99 / amP99)
            ))
        out.append(("ratio: idle RSS, sokuhod / Alertmanager", String(format: "%.2f", ours.rssMiB / amRSS), .double(ours.rssMiB / amRSS)))
        return out
    }

    /// sokuhod with its receiver down: 10 reports, SIGKILL, restart, receiver up; how many arrive.
    static func oursSurvival(bin: String, dir: String) async throws -> Int {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let receiver = try PlainReceiver { body in
            guard let v = try? JSONParser.parse(body), v["type"]?.stringValue == EscalationMessage.Kind.opened.rawValue,
                let id = v["data"]?["case_id"]?.stringValue
            else { return [] }
            return [id]
        }
        let secret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try secret.write(toFile: dir + "/city.secret", atomically: true, encoding: .utf8)
        chmod(dir + "/city.secret", 0o600)
        let extra = """
            city:
              webhook:
                url: http://127.0.0.1:\(receiver.port)/hook
                secret_file: city.secret
            escalation:
              retry_schedule: [200ms, 500ms, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s]
            """
        func start() throws -> Process { try Bench.startDaemon(bin: bin, dir: dir, extra: extra, logLevel: "critical") }
        receiver.setUp(false)
        var p = try start()
        var ids: [String] = []
        let c = try ControlClient(path: dir + "/state/sokuhod.sock")
        for i in 0..<10 {
            let r = try c.call(ReportRequest(report: Bench.report(9_000_000 + i)).json)
            if let id = r["case"]?["id"]?.stringValue { ids.append(id) }
        }
        try await Task.sleep(for: .milliseconds(1500))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        p = try start()
        receiver.setUp(true)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, ids.contains(where: { receiver.arrival(of: $0) == nil }) { try await Task.sleep(for: .milliseconds(50)) }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        return ids.filter { receiver.arrival(of: $0) != nil }.count
    }
}
