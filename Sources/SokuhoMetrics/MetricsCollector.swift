import Foundation
import Prometheus
import SokuhoCore
import SokuhoStore

/// The metric names are a contract (docs/operations.md, "Metrics"); monitoring/sokuho-alerts.yml
/// and dashboards depend on them. Values come from the store at each scrape, so they are right
/// after a restart: counters are the store's totals, never only what this process counted.
///
/// Only counts, ages and configured endpoint names are exposed: no report text, case content,
/// case id or user name ever appears in the output.
public actor MetricsCollector {
    public enum Name {
        public static let buildInfo = "sokuho_build_info"
        public static let reports = "sokuho_reports_total"
        public static let cases = "sokuho_cases"
        public static let outboxMessages = "sokuho_outbox_messages"
        public static let outboxOldestPending = "sokuho_outbox_oldest_pending_seconds"
        public static let deliveries = "sokuho_deliveries_total"
        public static let deliveryDuration = "sokuho_delivery_duration_seconds"
        public static let clocksMissed = "sokuho_clocks_missed_total"
        public static let spoolRejected = "sokuho_spool_rejected_total"
        public static let auditChainEvents = "sokuho_audit_chain_events"
        /// Every name above, for the tests and the documentation.
        public static let all = [
            buildInfo, reports, cases, outboxMessages, outboxOldestPending, deliveries, deliveryDuration,
            clocksMissed, spoolRejected, auditChainEvents,
        ]
    }

    /// Upper bounds of the delivery-duration histogram, in seconds (the webhook timeout is 20 s by default).
    public static let durationBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30]

    static let outboxHelp = "Outbox messages waiting (pending) or given up (dead)."
    static let deliveriesHelp = "Webhook delivery attempts by endpoint and outcome."
    let store: CaseStore
    let now: @Sendable () -> Double
    let registry: PrometheusCollectorRegistry
    var tally = EventTally()
    var lastAttempt: Int64 = 0
    var reports: [String: Counter] = [:]
    let cases: [String: Gauge]
    let outboxPending: Gauge
    let outboxDead: Gauge
    let oldestPending: Gauge
    var deliveries: [StoreGauges.DeliveryKey: Counter] = [:]
    let duration: DurationHistogram
    let clocksMissed: Counter
    let spoolRejected: Counter
    let chainEvents: Gauge

    /// `endpoints`: the configured endpoint names, shown with 0 attempts before their first.
    public init(
        store: CaseStore, endpoints: [String] = [], version: String = SokuhoVersion.current,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.store = store
        self.now = now
        let r = PrometheusCollectorRegistry()
        registry = r
        r.makeGauge(descriptor: Self.describe(Name.buildInfo, "The running sokuhod's version (always 1)."), labels: [("version", version)])
            .set(to: 1.0)
        var cases: [String: Gauge] = [:]
        for s in CaseState.allCases {
            cases[s.rawValue] = r.makeGauge(descriptor: Self.describe(Name.cases, "Cases by state."), labels: [("state", s.rawValue)])
        }
        self.cases = cases
        outboxPending = r.makeGauge(descriptor: Self.describe(Name.outboxMessages, Self.outboxHelp), labels: [("state", "pending")])
        outboxDead = r.makeGauge(descriptor: Self.describe(Name.outboxMessages, Self.outboxHelp), labels: [("state", "dead")])
        oldestPending = r.makeGauge(
            descriptor: Self.describe(Name.outboxOldestPending, "Age of the oldest pending outbox message in seconds (0 when none waits)."))
        duration = r.makeDurationHistogram(
            descriptor: Self.describe(Name.deliveryDuration, "Duration of webhook delivery attempts in seconds."),
            labels: [], buckets: Self.durationBuckets.map { .nanoseconds(Int64($0 * 1e9)) })
        clocksMissed = r.makeCounter(descriptor: Self.describe(Name.clocksMissed, "Legal clocks (deadlines) missed."), labels: [])
        spoolRejected = r.makeCounter(descriptor: Self.describe(Name.spoolRejected, "Spool files set aside in rejected/."), labels: [])
        chainEvents = r.makeGauge(descriptor: Self.describe(Name.auditChainEvents, "Events in the tamper-evident audit chain."))
        var deliveries: [StoreGauges.DeliveryKey: Counter] = [:]
        for e in endpoints {
            for outcome in ["delivered", "retry", "dead"] {
                deliveries[.init(endpoint: e, outcome: outcome)] = r.makeCounter(
                    descriptor: Self.describe(Name.deliveries, Self.deliveriesHelp), labels: [("endpoint", e), ("outcome", outcome)])
            }
        }
        self.deliveries = deliveries
        var reports: [String: Counter] = [:]
        for channel in ["socket", "spool"] {
            reports[channel] = r.makeCounter(
                descriptor: Self.describe(Name.reports, "Reports that opened a case, by channel."), labels: [("channel", channel)])
        }
        self.reports = reports
    }

    /// Reads the store and renders the Prometheus text format (version 0.0.4).
    public func scrape() async throws -> [UInt8] {
        let g = try await store.gauges()
        // Counters: only the events since the last scrape are read (all of them after a restart).
        while true {
            let t = try await store.tallyEvents(after: tally.lastSeq)
            if t.lastSeq == tally.lastSeq { break }
            for (channel, n) in t.reportsByChannel {
                counter(
                    &reports, channel, name: Name.reports, labels: [("channel", channel)], help: "Reports that opened a case, by channel."
                ).increment(by: Int64(n))
            }
            clocksMissed.increment(by: Int64(t.clocksMissed))
            spoolRejected.increment(by: Int64(t.spoolRejected))
            tally.add(t)
        }
        while true {
            let attempts = try await store.deliveryLatencies(afterAttempt: lastAttempt)
            guard let last = attempts.last else { break }
            for a in attempts { duration.record(.milliseconds(max(0, a.milliseconds))) }
            lastAttempt = last.id
        }
        for (state, gauge) in cases { gauge.set(Int64(g.cases[state] ?? 0)) }
        outboxPending.set(Int64(g.outboxPending))
        outboxDead.set(Int64(g.outboxDead))
        oldestPending.set(g.oldestPendingQueuedAt.map { max(0, now() - $0) } ?? 0)
        // Delivery outcomes are recounted from the attempts (a dead message retried by hand
        // turns its last attempt into a retry).
        for (key, n) in g.deliveries {
            let c = counter(
                &deliveries, key, name: Name.deliveries, labels: [("endpoint", key.endpoint), ("outcome", key.outcome)],
                help: Self.deliveriesHelp)
            c.reset()
            c.increment(by: Int64(n))
        }
        chainEvents.set(g.chainEvents)
        var out: [UInt8] = []
        registry.emit(into: &out)
        return out
    }

    static func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private func counter<K: Hashable>(_ table: inout [K: Counter], _ key: K, name: String, labels: [(String, String)], help: String)
        -> Counter
    {
        if let c = table[key] { return c }
        let c = registry.makeCounter(descriptor: Self.describe(name, help), labels: labels)
        table[key] = c
        return c
    }
}
