import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

@Suite(
    "Escalation: signed webhooks reach the city, in order, never lost",
    .enabled(if: EndpointHarness.python != nil))
struct EscalationTests {
    static let fastRetries =
        "escalation:\n  retry_schedule: [200ms, 300ms, 400ms, 500ms, 600ms, 700ms, 800ms, 900ms, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s]\n"

    func daemon(for endpoint: EndpointHarness, retries: String = EscalationTests.fastRetries) throws -> DaemonHarness {
        let d = try DaemonHarness.started(extra: endpoint.cityConfig + retries)
        return d
    }

    /// An endpoint that answers as `mode` says, and a daemon escalating to it that has taken one report.
    func reported(endpointMode mode: String, retries: String = EscalationTests.fastRetries) throws -> (EndpointHarness, DaemonHarness) {
        let city = try EndpointHarness()
        try city.setMode(mode)
        try city.start()
        let d = try daemon(for: city, retries: retries)
        _ = try d.call(["op": "report", "report": minimalReport()])
        return (city, d)
    }

    /// A receiver (sokuho receive) started once and stopped, and a daemon escalating to it.
    func receiverDown() throws -> (EndpointHarness, DaemonHarness) {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        city.stop()
        return (city, try daemon(for: city))
    }

    @Test("the first report reaches sokuho receive within a second; updates follow in order")
    func firstReportAndUpdates() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let d = try daemon(for: city)
        let started = Date()
        let r = try d.call(["op": "report", "report": SampleIncidents.all[1]])
        let id = try #require(r["case"]?["id"])
        try waitFor(timeout: 1) { city.received.count == 1 }
        #expect(Date().timeIntervalSince(started) < 1)
        for n in 1...3 {
            _ = try d.call(["op": "case.update", "id": id, "fields": ["count": .int(Int64(65 + n))]])
        }
        try waitFor { city.received.count == 4 }
        let got = city.received
        #expect(
            got.map { $0["payload"]?["type"]?.stringValue ?? "" } == [
                "incident.opened", "incident.updated", "incident.updated", "incident.updated",
            ])
        #expect(got.map { $0["payload"]?["data"]?["sequence"]?.intValue ?? 0 } == [1, 2, 3, 4])
        #expect(got.last?["payload"]?["data"]?["count"] == 68)
        #expect(got[1]["payload"]?["data"]?["changes"]?["count"]?["to"] == 66)
        let first = try #require(got.first?["payload"]?["data"])
        #expect(first["information"] == SampleIncidents.all[1]["information"])
        #expect(first["missing"] == [])
        #expect(first["audit"]?["hash"] == r["receipt"]?["hash"])
        // The receiver has stored the 4th message; the daemon records it delivered when the answer arrives.
        try waitFor {
            try d.call(["op": "case.get", "id": id])["escalation"]?.arrayValue?.allSatisfy { $0["state"] == "delivered" } == true
        }
        let human = try d.cli(["case", "show", id.stringValue!])
        #expect(human.stdout.contains("delivered"))
    }

    @Test(
        "the reference Python verifier (standardwebhooks) accepts every signature",
        .enabled(if: (try? DaemonHarness.shell("python3 -c 'import standardwebhooks'"))?.status == 0))
    func referenceVerifier() throws {
        let city = try EndpointHarness()
        try city.start()
        let d = try daemon(for: city)
        for s in SampleIncidents.all.prefix(5) { _ = try d.call(["op": "report", "report": s]) }
        try waitFor { city.attempts.count == 5 }
        for a in city.attempts {
            #expect(a["verified"] == true, "\(a)")
            #expect(a["signature"]?.stringValue?.hasPrefix("v1,") == true)
        }
    }

    @Test("receiver down, then up: every message arrives, retries keep the webhook-id")
    func downThenUp() throws {
        let (city, d) = try receiverDown()
        for s in SampleIncidents.all.prefix(3) { _ = try d.call(["op": "report", "report": s]) }
        Thread.sleep(forTimeInterval: 0.8)
        let pending = try d.call(["op": "outbox.list", "state": "pending"])
        #expect(pending["count"] == 3)
        #expect(pending["messages"]?.arrayValue?.allSatisfy { ($0["attempts"]?.intValue ?? 0) >= 1 } == true)
        try city.start()
        try waitFor { city.received.count == 3 }
        #expect(Set(city.received.compactMap { $0["webhook_id"]?.stringValue }).count == 3)
    }

    @Test("500 and 429 are retried until the endpoint recovers; the same webhook-id each time")
    func serverErrors() throws {
        let (city, d) = try reported(endpointMode: "500")
        try waitFor { city.attempts.count >= 3 }
        try city.setMode("429")
        try waitFor { city.attempts.count >= 4 }
        try city.setMode("ok")
        try waitFor(timeout: 15) { city.attempts.last?["mode"] == "ok" }
        let ids = Set(city.attempts.compactMap { $0["id"]?.stringValue })
        #expect(ids.count == 1, "retries must reuse the webhook-id")
        let timestamps = city.attempts.compactMap { $0["timestamp"]?.stringValue }
        #expect(Set(timestamps).count >= 2, "each attempt carries its own timestamp")
        let list = try d.call(["op": "outbox.list"])
        let m = try #require(list["messages"]?.arrayValue?.first)
        #expect(m["state"] == "delivered")
        #expect(m["attempts"]?.intValue == Int64(city.attempts.count))
        // Every attempt is recorded with time, status, latency and error.
        let caseID = try #require(m["case_id"])
        let log = try #require(try d.call(["op": "case.get", "id": caseID])["escalation"]?.arrayValue?.first?["attempt_log"]?.arrayValue)
        #expect(log.count == city.attempts.count)
        #expect(log.first?["status"] == 500)
        #expect(log.first?["error"]?.stringValue?.hasPrefix("HTTP 500") == true)
        #expect(log.last?["status"] == 200)
        #expect(log.allSatisfy { $0["latency_ms"]?.intValue != nil && $0["at"]?.stringValue != nil })
    }

    @Test("a slow endpoint times out and is retried; other cases are not held up")
    func slow() throws {
        let (city, d) = try reported(endpointMode: "slow")
        try waitFor { city.attempts.count >= 1 }
        try city.setMode("ok")
        let started = Date()
        let second = try d.call(["op": "report", "report": minimalReport(["kind": "loss"])])
        let secondID = try #require(second["case"]?["id"]?.stringValue)
        try waitFor(timeout: 2) { city.attempts.contains { $0["body"]?.stringValue?.contains("\"case_id\":\"\(secondID)\"") == true } }
        #expect(Date().timeIntervalSince(started) < 2, "a second case is delivered while the first times out")
        try waitFor(timeout: 10) {
            try d.call(["op": "outbox.list", "state": "pending"])["count"] == 0
        }
        let first = try d.call(["op": "outbox.list"])["messages"]?.arrayValue?.last
        #expect(first?["state"] == "delivered")
        #expect((first?["attempts"]?.intValue ?? 0) >= 2)
    }

    @Test("a burst of first reports while the city hangs: more than the worker holds in memory, none lost or doubled")
    func burstWhileHanging() throws {
        let (city, d) = try reported(endpointMode: "slow")
        // 48 deliveries in flight and 48 handed messages held; the rest wait in the store.
        for _ in 0..<150 { _ = try d.call(["op": "report", "report": minimalReport()]) }
        try waitFor { city.attempts.count >= 48 }
        try city.setMode("ok")
        try waitFor(timeout: 60) { try d.call(["op": "outbox.list", "state": "pending"])["count"] == 0 }
        let messages = try d.call(["op": "outbox.list", "limit": 1_000])["messages"]?.arrayValue ?? []
        #expect(messages.count == 151)
        #expect(messages.allSatisfy { $0["state"] == "delivered" })
        let delivered = city.attempts.filter { $0["mode"] == "ok" }.compactMap { $0["id"]?.stringValue }
        #expect(Set(delivered).count == 151, "every message reached the city")
    }

    @Test("410 disables the endpoint with an alarm; outbox retry --endpoint re-enables it")
    func gone() throws {
        let (city, d) = try reported(endpointMode: "410")
        try waitFor { d.log.contains("410 Gone") }
        _ = try d.call(["op": "report", "report": minimalReport()])
        Thread.sleep(forTimeInterval: 0.5)
        #expect(city.attempts.count == 1, "a disabled endpoint gets nothing more")
        let list = try d.cli(["outbox", "list"])
        #expect(list.stdout.contains("ALARM"))
        try city.setMode("ok")
        let retry = try d.cli(["outbox", "retry", "--endpoint", "city"])
        #expect(retry.status == 0, "\(retry.stderr)")
        try waitFor { try d.call(["op": "outbox.list", "state": "delivered"])["count"] == 2 }
    }

    @Test("an exhausted message is dead-lettered and can be retried by hand")
    func deadLetter() throws {
        let (city, d) = try reported(endpointMode: "500", retries: "escalation:\n  retry_schedule: [100ms, 100ms]\n")
        try waitFor { try d.call(["op": "outbox.list", "state": "dead"])["count"] == 1 }
        #expect(city.attempts.count == 3)
        #expect(d.log.contains("ALARM: escalation undelivered"))
        try city.setMode("ok")
        let id = try #require(try d.call(["op": "outbox.list"])["messages"]?.arrayValue?.first?["message_id"]?.stringValue)
        #expect(try d.cli(["outbox", "retry", id]).status == 0)
        try waitFor { try d.call(["op": "outbox.list", "state": "delivered"])["count"] == 1 }
    }

    @Test("killed and restarted mid-retry: every message arrives exactly once at the receiver")
    func killMidRetry() throws {
        let (city, d) = try receiverDown()
        var ids: [JSONValue] = []
        for s in SampleIncidents.all.prefix(5) { ids.append(try d.call(["op": "report", "report": s])["case"]?["id"] ?? .null) }
        _ = try d.call(["op": "case.update", "id": ids[0], "fields": ["count": 1]])
        Thread.sleep(forTimeInterval: 0.5)
        d.stop(signal: SIGKILL)
        try city.start()
        try d.start()
        try waitFor(timeout: 15) { city.received.count == 6 }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(city.received.count == 6)
        let first = city.received.filter { $0["payload"]?["data"]?["case_id"] == ids[0] }
        #expect(first.map { $0["payload"]?["type"]?.stringValue ?? "" } == ["incident.opened", "incident.updated"])
    }

    @Test("every event that escalates has its message: queued in the same transaction")
    func transactional() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let d = try daemon(for: city)
        for i in 0..<30 { _ = try d.call(["op": "report", "report": minimalReport(["count": .int(Int64(i))])]) }
        d.stop(signal: SIGKILL)
        let q = try DaemonHarness.shell(
            "sqlite3 '\(d.dbPath)' \"SELECT (SELECT COUNT(*) FROM events WHERE type='case.opened'), (SELECT COUNT(*) FROM outbox)\"")
        #expect(q.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "30|30")
    }

    @Test(
        "sokuho receive refuses bad signatures and stale timestamps with 401, and drops duplicates",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func receiverRefusals() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let now = Int(Date().timeIntervalSince1970)
        let bad = try DaemonHarness.shell(
            "curl -s -o /dev/stderr -w '%{http_code}' -X POST -H 'webhook-id: msg_x' -H 'webhook-timestamp: \(now)' -H 'webhook-signature: v1,AAAA' --data '{}' \(city.url)"
        )
        #expect(bad.stdout == "401")
        #expect(bad.stderr.contains("no valid v1 signature"))
        let stale = try DaemonHarness.shell(
            "curl -s -o /dev/stderr -w '%{http_code}' -X POST -H 'webhook-id: msg_x' -H 'webhook-timestamp: \(now - 3600)' -H 'webhook-signature: v1,AAAA' --data '{}' \(city.url)"
        )
        #expect(stale.stdout == "401")
        #expect(stale.stderr.contains("timestamp"))
        #expect(city.received.isEmpty)
        // A real delivery twice (the daemon re-sends after a crash): stored once.
        let d = try daemon(for: city)
        _ = try d.call(["op": "report", "report": minimalReport()])
        try waitFor { city.received.count == 1 }
        d.stop()
        let dup = try DaemonHarness.shell("sqlite3 '\(d.dbPath)' \"UPDATE outbox SET state='pending', next_attempt_at=0\"")
        #expect(dup.status == 0)
        try d.start()
        // The message is sent a second time (a second recorded attempt, answered 200) …
        try waitFor {
            let m = try d.call(["op": "outbox.list"])["messages"]?.arrayValue?.first
            return m?["state"] == "delivered" && m?["attempts"] == 2
        }
        // … and the receiver stored it once.
        #expect(city.received.count == 1)
    }
}
