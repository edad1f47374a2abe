import Foundation
import Logging
import SokuhoCore
import SokuhoSpool
import SokuhoStore
import Synchronization

/// What the daemon's request desk is configured with (from the configuration file).
public struct DeskSettings: Sendable {
    public var policy: RolePolicy
    /// The daemon's own user: an admin, like root.
    public var daemonUID: UInt32
    /// The operator's offset from UTC at a moment (case numbers follow the local year).
    public var utcOffset: @Sendable (Date) -> Int
    /// `time_zone_offset` of the configuration in seconds, when it sets one (nil: the host's
    /// zone). Documents are answered with it (`time_zone_offset_seconds`), so that a user who
    /// cannot read the configuration still gets the daemon's zone.
    public var configuredOffset: Int?
    /// Endpoint names that receive escalations.
    public var escalation: [String] = []
    /// The city's own endpoint (`city.webhook`), when configured: the only one whose answers
    /// may approve take-outs and disposals (never a lead's chat endpoint).
    public var cityEndpoint: String?
    /// The spool, for `spool.list` (nil: the daemon has none).
    public var spool: SpoolLayout?
    /// The playbooks in force for new cases (replaced on reload).
    public var playbooks: PlaybookSet = .empty
    /// The deadlines of every case.
    public var clockSettings = ClockSettings()
    /// How the socket was obtained, for `status`.
    public var socketDescription = ""

    public init(policy: RolePolicy, daemonUID: UInt32, utcOffset: @escaping @Sendable (Date) -> Int) {
        self.policy = policy
        self.daemonUID = daemonUID
        self.utcOffset = utcOffset
    }
}

/// Who the desk tells about a change: the delivery worker (a message may be queued), the
/// playbook runner (automatic steps), the systemd status line, and the idle memory release.
public struct DeskListeners: Sendable {
    public var wakeup: Wakeup?
    /// Where the messages of a new case go once committed (nil: the worker is woken to read them).
    public var handoff: DeliveryHandoff?
    public var playbookQueue: PlaybookQueue?
    public var onChange: @Sendable (String) -> Void
    /// Told of every request and change, so memory is given back only when the desk is quiet.
    public var idleMemory: IdleMemory?

    public init(
        wakeup: Wakeup? = nil, handoff: DeliveryHandoff? = nil, playbookQueue: PlaybookQueue? = nil, idleMemory: IdleMemory? = nil,
        onChange: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.wakeup = wakeup
        self.handoff = handoff
        self.playbookQueue = playbookQueue
        self.idleMemory = idleMemory
        self.onChange = onChange
    }
}

/// What every area of the desk shares: the store, the injected clock, the settings, and the
/// two things replaced on reload (roles and playbooks).
public final class DeskContext: Sendable {
    let store: CaseStore
    let clock: any WallClock
    let logger: Logger
    let settings: DeskSettings
    let listeners: DeskListeners
    let startedAt: Date
    let policy: Mutex<RolePolicy>
    let playbooks: Mutex<PlaybookSet>
    /// How many spool rejections each file owner may write into the record: a batch of 200
    /// broken files at once, then two a second (at most 7,200 events an hour from one user).
    let spoolRejections = Mutex(RefusalLimiter(burst: 200, refillSeconds: 0.5))

    public init(store: CaseStore, clock: any WallClock, logger: Logger, settings: DeskSettings, listeners: DeskListeners = DeskListeners())
    {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.settings = settings
        self.listeners = listeners
        self.startedAt = clock.now()
        self.policy = Mutex(settings.policy)
        self.playbooks = Mutex(settings.playbooks)
    }

    var currentPlaybooks: PlaybookSet { playbooks.withLock { $0 } }

    /// After a case was opened or changed (and committed): status line, delivery worker, playbook
    /// runner. `handing` are the messages the change queued, handed to the delivery worker when
    /// there is a handoff; otherwise the worker is woken to read them.
    func changed(_ id: String, handing queued: [OutboxMessage]? = nil) {
        listeners.onChange(id)
        if let queued, let handoff = listeners.handoff { handoff.offer(queued) } else { listeners.wakeup?.signal() }
        listeners.playbookQueue?.touch(id)
        listeners.idleMemory?.touch()
    }
}

/// One area of the desk (cases, steps, lifecycle, outbox, spool, reports): a small handler that
/// reaches what it shares with the others through `context`.
protocol DeskArea: Sendable {
    var context: DeskContext { get }
}

extension DeskArea {
    var store: CaseStore { context.store }
    var clock: any WallClock { context.clock }
    var logger: Logger { context.logger }
    var escalation: [String] { context.settings.escalation }
    var clockSettings: ClockSettings { context.settings.clockSettings }
    var currentPlaybooks: PlaybookSet { context.currentPlaybooks }
    func changed(_ id: String, handing queued: [OutboxMessage]? = nil) { context.changed(id, handing: queued) }
    func utcOffset(_ date: Date) -> Int { context.settings.utcOffset(date) }
    /// `time_zone_offset_seconds` in answers that documents are made from.
    var zoneOffsetMember: JSONValue { .optional(context.settings.configuredOffset.map(Int64.init)) }

    /// The case `id` as `actor` may see it: a reporter (`ownOnly`) gets `not_found` for a case
    /// they did not report, exactly as for a case that does not exist.
    func visibleCase(_ id: String, actor: EventActor, ownOnly: Bool) async throws -> (Case, [StoredEvent]) {
        guard let (c, events) = try await store.getCase(id: id), !ownOnly || c.reportedBy.uid == actor.peer.uid else {
            throw StoreError.notFound(id: id)
        }
        return (c, events)
    }

    /// A case as `actor` may see it: a reporter may name ledger entries but not read the ledger,
    /// so the entries of a case show to a reporter by id only.
    func caseJSON(_ c: Case, reporterView: Bool) -> JSONValue {
        reporterView ? Case.reporterView(c.json) : c.json
    }

    /// The playbook version a case follows (nil without one).
    func playbook(of c: Case) async throws -> Playbook? {
        guard let ref = c.playbook else { return nil }
        return try await store.playbook(hash: ref.hash)
    }

    /// The playbook statuses of a case (nil without a playbook).
    func stepStatuses(_ c: Case, now: Double) async throws -> [PlaybookEngine.StepStatus]? {
        try await playbook(of: c).map { PlaybookEngine.evaluate($0, case: c, now: now) }
    }

    /// Clocks and the national-report assessment of a case, for `case.get` and the dossier.
    func clocksAndAssessment(_ c: Case, reporterView: Bool = false) async throws -> [String: JSONValue] {
        let delivered = try await store.firstReportDeliveredAt(caseID: c.id, endpoints: escalation)
        let clocks = CaseClocks.evaluate(
            c, settings: clockSettings, firstReportDeliveredAt: delivered, now: clock.now().timeIntervalSince1970)
        // The ledger's category of an entry is not the reporter's to read: their view is
        // assessed without the ledger rule (the verdict alone would tell the category).
        let a =
            reporterView
            ? c.appi.nationalReport(threshold: clockSettings.personsThreshold) : c.nationalReport(threshold: clockSettings.personsThreshold)
        return [
            "clocks": .array(clocks.map(\.json)),
            "national_report": [
                "likely": .optional(a.likely), "reasons": .array(a.reasons.map { .string($0) }),
                "persons_threshold": .int(clockSettings.personsThreshold),
            ],
        ]
    }
}
