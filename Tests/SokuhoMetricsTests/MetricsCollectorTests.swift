import Foundation
import SokuhoCore
import SokuhoStore
import Testing

@testable import SokuhoMetrics

/// The collector reads the store: what it shows is right after a restart (a new collector on
/// the same database), and it shows counts only.
@Suite("Metrics read from the store")
struct MetricsCollectorTests {
    let dir: String
    let path: String

    init() throws {
        dir = NSTemporaryDirectory() + "sokuho-metrics-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir + "/sokuho.db"
    }

    static let alice = EventActor(
        peer: PeerIdentity(uid: 1000, gid: 1000, pid: 4242, user: "alice-secret-user"), role: .reporter, channel: "socket")
    static let bob = EventActor(peer: PeerIdentity(uid: 1001, gid: 1001, pid: 4243, user: "bob"), role: .reporter, channel: "spool")
    let date = Date(timeIntervalSince1970: 1_795_650_000)

    func report(_ information: String) throws -> Report {
        try Report.validate(["kind": "leak", "information": .string(information), "location": "本社3階 極秘会議室", "circumstances": "誤送信"])
    }

    /// `name{labels} value` lines of the text format, by series.
    static func samples(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = v
        }
        return out
    }

    @Test("every contract name is exposed, with the values of the store")
    func names() async throws {
        let store = try CaseStore(path: path)
        _ = try await store.openCase(try report("顧客名簿 A"), actor: Self.alice, at: date, year: 2026, escalateTo: ["city"])
        _ = try await store.openCase(
            try report("顧客名簿 B"), actor: Self.bob, at: date, year: 2026,
            source: ReportSource(channel: "spool", file: "b.json", sha256: String(repeating: "a", count: 64)), escalateTo: ["city"])
        let collector = MetricsCollector(store: store, endpoints: ["city"], version: "9.9.9", now: { 1_795_650_000 + 120 })
        let text = String(decoding: try await collector.scrape(), as: UTF8.self)
        for name in MetricsCollector.Name.all {
            #expect(text.contains("# TYPE \(name) "), "\(name) missing:\n\(text)")
        }
        let s = Self.samples(text)
        #expect(s[#"sokuho_build_info{version="9.9.9"}"#] == 1)
        #expect(s[#"sokuho_reports_total{channel="socket"}"#] == 1)
        #expect(s[#"sokuho_reports_total{channel="spool"}"#] == 1)
        #expect(s[#"sokuho_cases{state="open"}"#] == 2)
        #expect(s[#"sokuho_cases{state="closed"}"#] == 0)
        #expect(s[#"sokuho_outbox_messages{state="pending"}"#] == 2)
        #expect(s[#"sokuho_outbox_messages{state="dead"}"#] == 0)
        #expect(s["sokuho_outbox_oldest_pending_seconds"] == 120)
        #expect(s[#"sokuho_deliveries_total{endpoint="city",outcome="delivered"}"#] == 0)
        #expect(s["sokuho_clocks_missed_total"] == 0)
        #expect(s["sokuho_spool_rejected_total"] == 0)
        #expect((s["sokuho_audit_chain_events"] ?? 0) >= 2)
        #expect(s["sokuho_delivery_duration_seconds_count"] == 0)
    }

    @Test("a second user's view: only counts; no report text, place, case id or user name")
    func onlyCounts() async throws {
        let store = try CaseStore(path: path)
        _ = try await store.openCase(try report("マイナンバー一覧"), actor: Self.alice, at: date, year: 2026, escalateTo: ["city"])
        let text = String(decoding: try await MetricsCollector(store: store, endpoints: ["city"]).scrape(), as: UTF8.self)
        for secret in ["マイナンバー", "極秘", "INC-", "alice", "1000", "誤送信"] {
            #expect(!text.contains(secret), "\(secret) leaked:\n\(text)")
        }
    }

    @Test("after a restart (a new collector on the same database) the counters are the same, and count on")
    func restart() async throws {
        let store = try CaseStore(path: path)
        for i in 0..<3 {
            _ = try await store.openCase(try report("r\(i)"), actor: Self.alice, at: date, year: 2026, escalateTo: ["city"])
        }
        let message = try #require(try await store.outbox(state: .pending).first)
        try await store.recordAttempt(
            message, outcome: DeliveryOutcome(status: 503, latencyMs: 300, error: "busy", next: .retry(at: 0)), at: date)
        try await store.recordAttempt(message, outcome: DeliveryOutcome(status: 200, latencyMs: 40, error: nil, next: .delivered), at: date)
        let now: @Sendable () -> Double = { 1_795_650_000 + 60 }
        let before = Self.samples(
            String(decoding: try await MetricsCollector(store: store, endpoints: ["city"], now: now).scrape(), as: UTF8.self))
        let reopened = try CaseStore(path: path)
        let collector = MetricsCollector(store: reopened, endpoints: ["city"], now: now)
        let after = Self.samples(String(decoding: try await collector.scrape(), as: UTF8.self))
        #expect(after == before)
        #expect(after[#"sokuho_reports_total{channel="socket"}"#] == 3)
        #expect(after[#"sokuho_deliveries_total{endpoint="city",outcome="retry"}"#] == 1)
        #expect(after[#"sokuho_deliveries_total{endpoint="city",outcome="delivered"}"#] == 1)
        #expect(after["sokuho_delivery_duration_seconds_count"] == 2)
        #expect(after[#"sokuho_delivery_duration_seconds_bucket{le="0.05"}"#] == 1)
        #expect(after[#"sokuho_outbox_messages{state="pending"}"#] == 2)
        // Counting on: one more report, and the same collector shows it (never counted twice).
        _ = try await reopened.openCase(try report("r3"), actor: Self.alice, at: date, year: 2026)
        let more = Self.samples(String(decoding: try await collector.scrape(), as: UTF8.self))
        #expect(more[#"sokuho_reports_total{channel="socket"}"#] == 4)
        #expect(more["sokuho_delivery_duration_seconds_count"] == 2)
    }
}
