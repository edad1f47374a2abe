import ArgumentParser
import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoReceiver
import SokuhoStore
import Synchronization

/// sokuho-bench: starts the real sokuhod on a temporary directory with a verifying receiver on
/// loopback and prints the figures of docs/performance.md.
@main
struct Bench: AsyncParsableCommand {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static let configuration = CommandConfiguration(
        commandName: "sokuho-bench",
        abstract:
            "Measure Sokuho: acknowledgement latency, report-to-receipt latency, spool drop-to-case latency and burst rate, intake rate, audit verify speed."
    )

    @Option(help: "Sequential reports for the latency figures.") var reports = 500
    @Option(help: "Sequential reports for the CPU-per-report figure.") var cpuReports = 2000
    @Option(help: "Seconds of the 64-client intake run.") var intakeSeconds = 5.0
    @Option(help: "Files dropped one at a time for the spool latency figure.") var spoolDrops = 300
    @Option(help: "Files dropped at once for the spool burst figure.") var spoolBurst = 1000
    @Option(help: "Cases in the large store for the case list / case show / audit verify figures.") var cases = 100_000
    @Option(help: "Seconds the daemon is watched while idle.") var idleSeconds = 5.0
    @Option(help: "Reports in the end-to-end escalation burst (and events in the peer's burst).") var burst = 1000
    @Option(help: "Sequential events for the peer's latency figure.") var peerEvents = 300
    @Flag(help: "Skip the side-by-side run of Prometheus Alertmanager.") var noPeer = false
    @Flag(help: "Run only the side-by-side peer figures (with placeholders for ours).") var peerOnly = false
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Flag(help: "Run only the city's figures (sokuho-city).") var cityOnly = false
    @Option(help: "Messages sent to sokuho-city for its figures.") var cityMessages = 3000

    func run() async throws {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let dir = NSTemporaryDirectory() + "sokuho-bench-" + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if cityOnly {
            for (k, v, _) in try CityBench.run(bin: bin, dir: dir, messages: cityMessages, senders: 8) {
                print(k.padding(toLength: max(62, k.count + 2), withPad: " ", startingAt: 0) + v)
            }
            return
        }
        if peerOnly {
            for (k, v, _) in try await PeerComparison.run(
                bin: bin, dir: dir, events: peerEvents, burst: burst, ours: .init(receiptP99: .nan, rssMiB: .nan))
            {
                print(k.padding(toLength: max(62, k.count + 2), withPad: " ", startingAt: 0) + v)
            }
            return
        }
        let secretText = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try secretText.write(toFile: dir + "/city.secret", atomically: true, encoding: .utf8)
        chmod(dir + "/city.secret", 0o600)

        let arrivals = Arrivals()
        let receiver = try WebhookReceiver(
            settings: .init(
                host: "127.0.0.1", port: 0, secrets: [try WebhookSignature.Secret(secretText)],
                outPath: dir + "/received.jsonl")
        ) { line in
            if let id = line["payload"]?["data"]?["case_id"]?.stringValue { arrivals.arrived(id) }
        }
        let port = try await receiver.start()
        let daemon = try Self.startDaemon(
            bin: bin, dir: dir,
            extra: """
                city:
                  webhook:
                    url: http://127.0.0.1:\(port)/hook
                    secret_file: city.secret
                """)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let socket = dir + "/state/sokuhod.sock"

        var results: [(String, String, JSONValue)] = []
        /// The headline figures under short keys in `--json`.
        var summary: [String: JSONValue] = [:]

        // 0. Idle: memory and CPU of the daemon doing nothing (no polling).
        try await Task.sleep(for: .seconds(1))
        let cpu0 = ProcessFigures.cpuSeconds(pid: daemon.processIdentifier)
        try await Task.sleep(for: .milliseconds(Int(idleSeconds * 1000)))
        let idleCPU = (ProcessFigures.cpuSeconds(pid: daemon.processIdentifier) - cpu0) / idleSeconds * 100
        let idleRSS = ProcessFigures.rssMiB(pid: daemon.processIdentifier)
        let idleAnon = ProcessFigures.rssMiB(pid: daemon.processIdentifier, field: "RssAnon")
        results.append(
            (
                "idle daemon: RSS (private), CPU",
                String(format: "%.1f MiB (%.1f MiB private), %.2f %% CPU over %.0f s", idleRSS, idleAnon, idleCPU, idleSeconds),
                [
                    "rss_mib": .double((idleRSS * 10).rounded() / 10), "rss_anon_mib": .double((idleAnon * 10).rounded() / 10),
                    "cpu_percent": .double((idleCPU * 100).rounded() / 100),
                ]
            ))

        // 1. Sequential: acknowledgement and report → verified receipt at the receiver.
        let client = try ControlClient(path: socket)
        var ack: [Double] = []
        var receipt: [Double] = []
        for i in 0..<reports {
            let start = DispatchTime.now().uptimeNanoseconds
            let r = try client.call(ReportRequest(report: Self.report(i)).json)
            let acked = DispatchTime.now().uptimeNanoseconds
            guard let id = r["case"]?["id"]?.stringValue else {
                throw ValidationError(.internal, field: nil, "report failed: \(r)", ja: "")
            }
            let arrived = await arrivals.wait(for: id)
            ack.append(Double(acked - start) / 1e6)
            receipt.append(Double(arrived - start) / 1e6)
        }
        results.append(("acknowledgement latency, 1 client (ms)", Self.p(ack), Self.pj(ack)))
        results.append(("report → verified receipt (ms)", Self.p(receipt), Self.pj(receipt)))

        // 1b. CPU per escalated report: sequential reports over one connection, each until its
        // signed first report is verified at the receiver; then sokuhod's CPU time (user +
        // system, /proc/PID/stat) once its outbox is empty, divided by the number of reports.
        let cpuClient = try ControlClient(path: socket)
        try await Self.waitForEmptyOutbox(cpuClient)
        let cpuStart = ProcessFigures.cpuSeconds(pid: daemon.processIdentifier)
        for i in 0..<cpuReports {
            let r = try cpuClient.call(ReportRequest(report: Self.report(8_000_000 + i)).json)
            guard let id = r["case"]?["id"]?.stringValue else { throw Failure("report failed: \(r)") }
            _ = await arrivals.wait(for: id)
        }
        try await Self.waitForEmptyOutbox(cpuClient)
        let cpuPerReport = (ProcessFigures.cpuSeconds(pid: daemon.processIdentifier) - cpuStart) / Double(max(cpuReports, 1)) * 1e6
        results.append(
            (
                "sokuhod CPU per escalated report (µs), \(cpuReports) sequential", String(format: "%.0f", cpuPerReport),
                .double(cpuPerReport.rounded())
            ))
        summary["cpu_per_report_us"] = .double(cpuPerReport.rounded())

        // 2. Eight concurrent clients: acknowledgement latency.
        let eight = Samples()
        let perClient = max(50, reports / 4)
        Self.onThreads(8) { w in
            guard let c = try? ControlClient(path: socket) else { return }
            for i in 0..<perClient {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try? c.call(ReportRequest(report: Self.report(100_000 + w * 10_000 + i)).json)
                eight.add(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        results.append(("acknowledgement latency, 8 clients (ms)", Self.p(eight.all), Self.pj(eight.all)))

        // 2b. Escalations end to end: a burst of reports from 16 clients until every signed
        // first report is verified and stored at the receiver.
        let burstStart = DispatchTime.now().uptimeNanoseconds
        let burstIDs = Samples.Strings()
        Self.onThreads(16) { w in
            guard let c = try? ControlClient(path: socket) else { return }
            var i = w
            while i < burst {
                if let id = (try? c.call(ReportRequest(report: Self.report(7_000_000 + i)).json))?["case"]?["id"]?.stringValue {
                    burstIDs.add(id)
                }
                i += 16
            }
        }
        var lastArrival = burstStart
        for id in burstIDs.all { lastArrival = max(lastArrival, await arrivals.wait(for: id)) }
        let escalationRate = Double(burstIDs.all.count) / (Double(lastArrival - burstStart) / 1e9)
        results.append(
            (
                "burst of \(burst) reports → all verified at the receiver (escalations/s)", String(format: "%.0f", escalationRate),
                .double(escalationRate.rounded())
            ))

        // 3. The spool: drop → case, one at a time, then a burst.
        let spool = SpoolBench(spool: dir + "/state/spool")
        let drops = try spool.latencies(count: spoolDrops)
        results.append(("spool drop → case (ms)", Self.p(drops), Self.pj(drops)))
        let burstSeconds = try spool.burst(count: spoolBurst)
        let burstRate = Double(spoolBurst) / burstSeconds
        results.append(
            (
                "spool burst, \(spoolBurst) files (files/s)", String(format: "%.0f  (all in %.2f s)", burstRate, burstSeconds),
                ["files_per_second": .double(burstRate.rounded()), "seconds": .double(burstSeconds)]
            ))

        // 4. Sixty-four clients for a while: durable reports per second.
        let count = Counter()
        let deadline = Date().addingTimeInterval(intakeSeconds)
        let t0 = Date()
        Self.onThreads(64) { w in
            guard let c = try? ControlClient(path: socket) else { return }
            var i = 0
            while Date() < deadline {
                if (try? c.call(ReportRequest(report: Self.report(1_000_000 + w * 100_000 + i)).json))?["ok"] == true { count.add() }
                i += 1
            }
        }
        let rate = Double(count.value) / Date().timeIntervalSince(t0)
        let baseline = try Baseline.rowsPerSecond(directory: dir, seconds: min(intakeSeconds, 3))
        results.append(
            (
                "durable intake, 64 clients (reports/s)", String(format: "%.0f  (%.1f× the raw SQLite baseline)", rate, rate / baseline),
                ["reports_per_second": .double(rate.rounded()), "ratio_to_baseline": .double((rate / baseline * 10).rounded() / 10)]
            ))
        results.append(
            ("raw SQLite baseline: 1-row txns, WAL, FULL (rows/s)", String(format: "%.0f", baseline), .double(baseline.rounded())))

        // 4b. Idle after activity: once every delivery is done, the daemon must be as quiet as at
        // start (a worker that spins after its first wake-up shows here, not at start).
        try await Self.waitForEmptyOutbox(try ControlClient(path: socket))
        try await Task.sleep(for: .seconds(1))
        let cpu1 = ProcessFigures.cpuSeconds(pid: daemon.processIdentifier)
        try await Task.sleep(for: .milliseconds(Int(idleSeconds * 1000)))
        let idleAfterCPU = (ProcessFigures.cpuSeconds(pid: daemon.processIdentifier) - cpu1) / idleSeconds * 100
        let idleAfterRSS = ProcessFigures.rssMiB(pid: daemon.processIdentifier)
        results.append(
            (
                "idle daemon after activity: RSS, CPU",
                String(format: "%.1f MiB, %.2f %% CPU over %.0f s", idleAfterRSS, idleAfterCPU, idleSeconds),
                ["rss_mib": .double((idleAfterRSS * 10).rounded() / 10), "cpu_percent": .double((idleAfterCPU * 100).rounded() / 100)]
            ))

        // 5. Stop the daemon (and its deliveries) so the large-store figures run alone.
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()

        // 6. A large store: case list / case show latency, then audit verify over it.
        let bigDir = dir + "/big"
        try FileManager.default.createDirectory(atPath: bigDir + "/state", withIntermediateDirectories: true)
        let fillRate = try await LargeStore.fill(path: bigDir + "/state/sokuho.db", cases: cases)
        let big = try Self.startDaemon(bin: bin, dir: bigDir)
        defer { if big.isRunning { kill(big.processIdentifier, SIGKILL) } }
        let reads = try LargeStore.readLatencies(socket: bigDir + "/state/sokuhod.sock", cases: cases, requests: 300)
        results.append(("case list (newest 100) with \(cases) cases (ms)", Self.p(reads.list), Self.pj(reads.list)))
        results.append(("case show with \(cases) cases (ms)", Self.p(reads.show), Self.pj(reads.show)))
        results.append(
            ("(filling the large store through group commit)", String(format: "%.0f cases/s", fillRate), .double(fillRate.rounded())))
        kill(big.processIdentifier, SIGTERM)
        big.waitUntilExit()
        let bigVerify = try AuditReader(path: bigDir + "/state/sokuho.db").verify()
        let bigRate = Double(bigVerify.eventsChecked) / max(bigVerify.seconds, 1e-9)
        let chainRate = Double(bigVerify.eventsChecked) / max(bigVerify.chainSeconds, 1e-9)
        results.append(
            (
                "audit verify, \(bigVerify.eventsChecked) events: hash chain (events/s)", String(format: "%.0f", chainRate),
                .double(chainRate.rounded())
            ))
        results.append(
            (
                "audit verify, with replaying \(bigVerify.casesChecked) cases (events/s)",
                String(format: "%.0f  (%.1f s in all)", bigRate, bigVerify.seconds),
                .double(bigRate.rounded())
            ))

        await receiver.stop()

        // 7. Side by side with a peer that keeps events in memory only.
        if !noPeer {
            results += try await PeerComparison.run(
                bin: bin, dir: dir, events: peerEvents, burst: burst,
                ours: .init(receiptP99: Self.percentile(receipt, 0.99), rssMiB: idleRSS))
            if case .double(let amRate)? = results.first(where: { $0.0.hasPrefix("peer Alertmanager: burst") })?.2["events_per_second"],
                amRate > 0
            {
                results.append(
                    (
                        "ratio: escalations/s end to end, sokuhod / Alertmanager", String(format: "%.2f", escalationRate / amRate),
                        .double(escalationRate / amRate)
                    ))
            }
            for (label, key) in [
                ("ratio: report→receipt p99", "ratio_receipt_p99"), ("ratio: escalations/s", "ratio_escalations_per_second"),
                ("ratio: idle RSS", "ratio_idle_rss"),
            ] {
                if let v = results.first(where: { $0.0.hasPrefix(label) })?.2 { summary[key] = v }
            }
        }

        if json {
            var o = summary
            for (k, _, v) in results { o[k] = v }
            print(JSONValue.object(o).canonicalString)
        } else {
            print("figure".padding(toLength: 62, withPad: " ", startingAt: 0) + "value")
            for (k, v, _) in results { print(k.padding(toLength: max(62, k.count + 2), withPad: " ", startingAt: 0) + v) }
        }
    }
}
