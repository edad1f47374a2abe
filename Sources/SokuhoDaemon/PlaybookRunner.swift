import Foundation
import Logging
import ServiceLifecycle
import SokuhoCore
import SokuhoStore
import Synchronization

/// Cases whose playbook steps need a look, and the wake-up for the runner.
public final class PlaybookQueue: Sendable {
    private let dirty = Mutex<Set<String>>([])
    let wakeup = Wakeup()

    public init() {}

    /// A case changed (opened, updated, a step done): look at it now.
    public func touch(_ caseID: String) {
        dirty.withLock { _ = $0.insert(caseID) }
        wakeup.signal()
    }

    func take() -> Set<String> {
        dirty.withLock { d in
            defer { d = [] }; return d
        }
    }
}

/// Performs automatic steps and reminds about overdue ones (`docs/playbooks.md`), and raises an
/// alarm once for each missed clock of a case (`docs/walkthrough.md`).
///
/// Each automatic step runs exactly once: the check that it has not run and the `step.done`
/// event with its messages are one transaction (`CaseStore.mutateCase`), so neither a restart
/// nor two passes can repeat it. Overdue manual steps get a `step.reminded` event and an
/// `incident.step_overdue` message to `playbooks.notify` — once, then every `remindEvery`.
///
/// No polling: the runner sleeps until the earliest due time among open cases, or until a case
/// changes (`PlaybookQueue.touch`).
struct PlaybookRunner: Service {
    let store: CaseStore
    let queue: PlaybookQueue
    let clock: any WallClock
    /// Endpoints that receive the city's messages (`notify_city`).
    let cityEndpoints: [String]
    /// `playbooks.notify`: step notices and reminders; nil = log only.
    let notifyEndpoint: String?
    let remindEvery: Double
    /// The deadlines watched for every open case; a missed one alarms once.
    let clocks: ClockSettings
    let deliveryWakeup: Wakeup?
    let logger: Logger

    func run() async throws {
        // A stop must not wait for the current sleep (up to 60 s) to end.
        let wakeup = queue.wakeup
        try await withGracefulShutdownHandler {
            try await loop()
        } onGracefulShutdown: {
            wakeup.signal()
        }
    }

    func loop() async throws {
        var state = RunnerState()
        // Start with every open case that follows a playbook.
        do { for id in try await store.openCaseIDs() { state.schedule[id] = 0 } } catch {
            // Stopped before it began (the daemon could not start): nothing to report.
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            logger.error("playbook runner: cannot list cases", metadata: ["error": "\(error)"])
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let now = clock.now().timeIntervalSince1970
            var ids = queue.take()
            for (id, at) in state.schedule where at <= now { ids.insert(id) }
            for id in ids.sorted() {
                state.schedule[id] = await look(at: id, now: now)
            }
            let next = state.schedule.values.min()
            let wait = max(0.01, min(60, (next ?? now + 60) - clock.now().timeIntervalSince1970))
            await queue.wakeup.wait(timeout: .milliseconds(Int(wait * 1000)))
        }
    }

    struct RunnerState {
        /// Next time each case needs a look; absent = only when it changes.
        var schedule: [String: Double] = [:]
    }

    /// Runs what is due for one case; returns when it next needs a look.
    func look(at id: String, now: Double) async -> Double? {
        do {
            // The case and its first report's delivery in one read.
            guard let (c, delivered) = try await store.caseForLook(id: id, endpoints: cityEndpoints), c.state != .closed else {
                return nil
            }
            let clockWake = try await watchClocks(c, delivered: delivered, now: now)
            guard let ref = c.playbook else { return clockWake }
            guard let playbook = try await store.playbook(hash: ref.hash) else {
                logger.error("playbook version missing", metadata: ["case": "\(id)", "hash": "\(ref.hash)"])
                return nil
            }
            let statuses = PlaybookEngine.evaluate(playbook, case: c, now: now)
            var changed = false
            for st in PlaybookEngine.autoStepsToRun(statuses, now: now) {
                changed = try await runAuto(st.step, caseID: id, playbook: playbook) || changed
            }
            for st in PlaybookEngine.remindersDue(statuses, now: now, every: remindEvery) {
                changed = try await remind(st.step, caseID: id, playbook: playbook) || changed
            }
            if changed {
                // A step done unlocks others: look again at once.
                deliveryWakeup?.signal()
                return now
            }
            return [PlaybookEngine.nextWake(statuses, now: now, every: remindEvery), clockWake].compactMap { $0 }.min()
        } catch {
            logger.error("playbook runner: case not handled; retrying in 30 s", metadata: ["case": "\(id)", "error": "\(error)"])
            return now + 30
        }
    }

    /// Raises each newly missed clock: an error in the log, a `clock.missed` event and an
    /// `incident.clock_missed` message to the city. `delivered`: when the city acknowledged the
    /// case's first report (`CaseStore.firstReportDeliveredAt`). Returns when the next clock falls due.
    func watchClocks(_ c: Case, delivered: Double?, now: Double) async throws -> Double? {
        let evaluated = CaseClocks.evaluate(c, settings: clocks, firstReportDeliveredAt: delivered, now: now)
        for missed in CaseClocks.newlyMissed(evaluated, case: c) {
            let settings = clocks
            let city = cityEndpoints
            let result = try await store.mutateCase(id: c.id, actor: CaseStore.daemonActor, at: clock.now()) { fresh in
                let again = CaseClocks.newlyMissed(
                    CaseClocks.evaluate(fresh, settings: settings, firstReportDeliveredAt: delivered, now: now), case: fresh)
                guard let m = again.first(where: { $0.name == missed.name }) else { return [] }
                let miss = ClockMiss(clock: m.name.rawValue, dueAt: Timestamp.format(Date(timeIntervalSince1970: m.dueAt)))
                return [
                    CaseChange(
                        .clockMissed(miss),
                        messages: [.init(type: EscalationMessage.Kind.clockMissed.rawValue, endpoints: city, extra: ["clock": m.json])])
                ]
            }
            if !result.receipts.isEmpty {
                logger.error(
                    "ALARM: deadline missed",
                    metadata: [
                        "case": "\(c.id)", "clock": "\(missed.name.rawValue)",
                        "due_at": "\(Timestamp.format(Date(timeIntervalSince1970: missed.dueAt)))",
                    ])
            }
        }
        // A first report not yet delivered is checked again when it falls due; delivery itself
        // wakes the runner through the case's next change at the latest.
        return CaseClocks.nextDue(evaluated, now: now)
    }

    /// Performs one automatic step, exactly once. Returns whether it ran now.
    func runAuto(_ step: Playbook.Step, caseID: String, playbook: Playbook) async throws -> Bool {
        let city = cityEndpoints
        let notify = notifyEndpoint
        let result = try await mutateStep(step, caseID: caseID, playbook: playbook, among: { PlaybookEngine.autoStepsToRun($0, now: $1) }) {
            st, _ in
            var done = StepDone(step: step.id, by: CaseStore.daemonActor.by, auto: true)
            var messages: [CaseChange.Message] = []
            let stepInfo = Self.stepJSON(st)
            switch step.action {
            case .notifyCity(let event)?:
                done.action = ["type": "notify_city", "event": .string(event), "endpoints": .array(city.map { .string($0) })]
                messages.append(.init(type: event, endpoints: city, extra: ["step": stepInfo]))
                if city.isEmpty { done.note = "no city endpoint is configured; recorded only" }
            case .notify(let endpoint)?:
                let target = endpoint ?? notify
                done.action = ["type": "notify", "endpoint": .optional(target)]
                if let target {
                    messages.append(.init(type: EscalationMessage.Kind.stepNotice.rawValue, endpoints: [target], extra: ["step": stepInfo]))
                } else {
                    done.note = "playbooks.notify is not configured; logged only"
                }
            case .remind?:
                done.action = ["type": "remind", "endpoint": .optional(notify)]
                if let notify {
                    messages.append(
                        .init(type: EscalationMessage.Kind.stepReminder.rawValue, endpoints: [notify], extra: ["step": stepInfo]))
                }
            case nil:
                return []
            }
            return [CaseChange(.stepDone(done), messages: messages)]
        }
        guard let receipt = result.receipts.first else { return false }
        logger.notice(
            "automatic step done",
            metadata: [
                "case": "\(caseID)", "step": "\(step.id)", "action": "\(Self.describe(step.action))", "seq": "\(receipt.seq)",
            ])
        return true
    }

    /// Reminds about one overdue step (at most once per `remindEvery`). Returns whether it did.
    func remind(_ step: Playbook.Step, caseID: String, playbook: Playbook) async throws -> Bool {
        let every = remindEvery
        let notify = notifyEndpoint
        let result = try await mutateStep(
            step, caseID: caseID, playbook: playbook, among: { PlaybookEngine.remindersDue($0, now: $1, every: every) }
        ) { st, now in
            guard let due = st.dueAt else { return [] }
            let reminded = StepReminded(
                step: step.id, dueAt: Timestamp.format(Date(timeIntervalSince1970: due)),
                overdueSeconds: Int64(now - due), endpoint: notify)
            let messages: [CaseChange.Message] =
                notify.map {
                    [.init(type: EscalationMessage.Kind.stepOverdue.rawValue, endpoints: [$0], extra: ["step": Self.stepJSON(st)])]
                } ?? []
            return [CaseChange(.stepReminded(reminded), messages: messages)]
        }
        guard let receipt = result.receipts.first else { return false }
        logger.warning(
            "step overdue",
            metadata: [
                "case": "\(caseID)", "step": "\(step.id)", "title": "\(step.title.en)", "role": "\(step.role.rawValue)",
                "seq": "\(receipt.seq)",
                "reminded": "\(notify ?? "log only")",
            ])
        return true
    }

    /// Changes a case as the daemon for one of its steps. Whether there is still something to
    /// do is decided again inside the transaction, from the step's status there: `among` picks
    /// the steps due for this kind of work; when `step` is not among them (already done by an
    /// earlier look, or no longer due) nothing is written. `change` gets the status and the time.
    func mutateStep(
        _ step: Playbook.Step, caseID: String, playbook: Playbook,
        among: @escaping @Sendable ([PlaybookEngine.StepStatus], Double) -> [PlaybookEngine.StepStatus],
        change: @escaping @Sendable (PlaybookEngine.StepStatus, Double) throws -> [CaseChange]
    ) async throws -> MutationResult {
        let now = clock.now()
        return try await store.mutateCase(id: caseID, actor: CaseStore.daemonActor, at: now) { c in
            let statuses = PlaybookEngine.evaluate(playbook, case: c, now: now.timeIntervalSince1970)
            guard let st = among(statuses, now.timeIntervalSince1970).first(where: { $0.step.id == step.id }) else { return [] }
            return try change(st, now.timeIntervalSince1970)
        }
    }

    /// The step as messages carry it.
    static func stepJSON(_ st: PlaybookEngine.StepStatus) -> JSONValue {
        [
            "id": .string(st.step.id), "title": st.step.title.json, "guide": st.step.guide.json, "role": .string(st.step.role.rawValue),
            "mandatory": .bool(st.step.mandatory), "state": .string(st.state.rawValue),
            "due_at": st.dueAt.map { .string(Timestamp.format(Date(timeIntervalSince1970: $0))) } ?? .null,
        ]
    }

    static func describe(_ a: Playbook.Action?) -> String {
        switch a {
        case .notifyCity(let e)?: "notify_city \(e)"
        case .notify(let e)?: "notify \(e ?? "(playbooks.notify)")"
        case .remind?: "remind"
        case nil: "-"
        }
    }
}
