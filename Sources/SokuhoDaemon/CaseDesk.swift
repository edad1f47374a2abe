import Foundation
import Logging
import SokuhoConfig
import SokuhoControl
import SokuhoCore
import SokuhoSpool
import SokuhoStore
import Synchronization

/// The daemon's request desk: checks each request against the typed table of operations
/// (`ControlOperation`), decides who may do it (`Permission`), and hands it to the handler of its
/// area — cases, steps, lifecycle, outbox, spool, reports. Every refusal for lack of a role is
/// recorded (bounded) as an `access.denied` event.
public final class CaseDesk: ControlRequestHandler {
    let context: DeskContext
    let cases: CaseHandler
    let steps: StepHandler
    let lifecycle: LifecycleHandler
    let outbox: OutboxHandler
    let reports: ReportHandler
    let ledger: LedgerHandler
    /// The spool's intake and `spool.list`.
    let spoolHandler: SpoolHandler
    /// What `SpoolService` hands every dropped file to.
    public var spool: any SpoolIntakeHandler { spoolHandler }
    /// How many refusals each user may write into the record (`RefusalLimiter`).
    let refusals = Mutex(RefusalLimiter())

    public init(store: CaseStore, clock: any WallClock, logger: Logger, settings: DeskSettings, listeners: DeskListeners = DeskListeners())
    {
        let context = DeskContext(store: store, clock: clock, logger: logger, settings: settings, listeners: listeners)
        self.context = context
        cases = CaseHandler(context: context)
        steps = StepHandler(context: context)
        lifecycle = LifecycleHandler(context: context)
        outbox = OutboxHandler(context: context)
        reports = ReportHandler(context: context)
        ledger = LedgerHandler(context: context)
        spoolHandler = SpoolHandler(context: context)
    }

    var store: CaseStore { context.store }
    var clock: any WallClock { context.clock }
    var logger: Logger { context.logger }

    /// Replaces the playbooks for new cases (on reload). Running cases keep their version.
    public func replacePlaybooks(_ set: PlaybookSet) { context.playbooks.withLock { $0 = set } }

    /// Replaces the role policy (on reload).
    public func replacePolicy(_ p: RolePolicy) { context.policy.withLock { $0 = p } }

    /// Takes what an endpoint's 2xx answer carries: instructions for cases (each for its
    /// `case_id`, else for the case the answered message was about), the city's publication
    /// decisions (only from the city's endpoint), and approvals (`addApprovals`). What cannot be
    /// recorded is logged and skipped; nothing here fails the delivery.
    public func takeAnswer(_ body: [UInt8], answering subject: String, endpoint: String) async {
        await addApprovals(LedgerApproval.fromWebhookAnswer(body, endpoint: endpoint), answering: subject, endpoint: endpoint)
        let byCase = Dictionary(grouping: Instruction.fromWebhookAnswer(body, defaultCase: subject), by: \.caseID)
        for (caseID, items) in byCase where CaseID.parse(caseID) != nil {
            do {
                try await addInstructions(
                    caseID: caseID, items.map { ($0.externalID, $0.from, $0.text, $0.issuedAt) }, source: "webhook:\(endpoint)",
                    actor: CaseStore.daemonActor)
            } catch {
                logger.error("instructions in the city's answer not recorded", metadata: ["case": "\(caseID)", "error": "\(error)"])
            }
        }
        let publications = Publication.fromWebhookAnswer(body)
        guard !publications.isEmpty else { return }
        guard endpoint == context.settings.cityEndpoint else {
            logger.warning("publication decisions ignored: only the city's endpoint decides", metadata: ["endpoint": "\(endpoint)"])
            return
        }
        for (caseID, decision) in publications {
            do { try await lifecycle.recordCityPublication(caseID: caseID, decision) } catch {
                logger.error(
                    "publication decision in the city's answer not recorded", metadata: ["case": "\(caseID)", "error": "\(error)"])
            }
        }
    }

    /// Records the approvals the city sent in its answer to a delivery of a ledger message
    /// (`LedgerApproval`): only from an escalation endpoint (the city, never a lead's
    /// notification endpoint), and only for requests of the entry the message was about. Each
    /// is recorded once, by the city's id; one that cannot be recorded is logged and skipped.
    public func addApprovals(_ approvals: [LedgerApproval], answering subject: String, endpoint: String) async {
        guard !approvals.isEmpty else { return }
        let fromCity = endpoint == context.settings.cityEndpoint && LedgerID.parse(subject) != nil
        let mine = fromCity ? approvals.filter { LedgerID.parseRequest($0.request)?.entry == subject } : []
        if mine.count < approvals.count {
            logger.warning(
                "approvals ignored: only the city's answer to a message about the entry approves its requests",
                metadata: ["endpoint": "\(endpoint)", "subject": "\(subject)", "ignored": "\(approvals.count - mine.count)"])
        }
        for a in mine {
            do { try await ledger.record(a, actor: CaseStore.daemonActor) } catch {
                logger.warning("approval in the city's answer not recorded", metadata: ["request": "\(a.request)", "error": "\(error)"])
            }
        }
    }

    /// Records instructions the city sent in its answer to a delivery (see `LifecycleHandler`).
    @discardableResult
    public func addInstructions(
        caseID: String, _ items: [(externalID: String?, from: String?, text: String, issuedAt: String?)], source: String,
        actor: EventActor
    ) async throws -> MutationResult {
        try await lifecycle.addInstructions(caseID: caseID, items, source: source, actor: actor)
    }

    public func handle(_ request: JSONValue, from peer: PeerIdentity) async -> JSONValue {
        defer { context.listeners.idleMemory?.touch() }
        do {
            return try await dispatch(request, from: peer)
        } catch let e as ValidationError {
            return ControlResponse.failure(e)
        } catch StoreError.declined(let e as GatesUnmet) {
            return Self.gatesFailure(e)
        } catch let e as StoreError {
            return storeFailure(e)
        } catch let e as GatesUnmet {
            return Self.gatesFailure(e)
        } catch {
            logger.error("request failed", metadata: ["error": "\(error)"])
            return ControlResponse.failure(.internal, "internal error: \(error)", ja: "内部エラー: \(error)")
        }
    }

    static func gatesFailure(_ e: GatesUnmet) -> JSONValue {
        var r = ControlResponse.failure(
            .conflict, "the case cannot be closed yet:\n" + e.gates.map { "  - " + $0.en }.joined(separator: "\n"),
            ja: "まだ完了できません:\n" + e.gates.map { "  - " + $0.ja }.joined(separator: "\n"), field: "to")
        if case .object(var o) = r, case .object(var err)? = o["error"] {
            err["gates"] = .array(e.gates.map(\.json))
            o["error"] = .object(err)
            r = .object(o)
        }
        return r
    }

    func storeFailure(_ e: StoreError) -> JSONValue {
        switch e {
        case .invalid(let v), .declined(let v as ValidationError): return ControlResponse.failure(v)
        case .notFound(let id) where LedgerID.parse(id) != nil || LedgerID.parseRequest(id) != nil:
            return ControlResponse.failure(.notFound, "no ledger entry \(id)", ja: "台帳に \(id) はありません", field: "id")
        case .notFound(let id):
            return ControlResponse.failure(.notFound, "no case \(id)", ja: "事案 \(id) は見つかりません", field: "id")
        default:
            logger.error("storage failure", metadata: ["error": "\(e)"])
            return ControlResponse.failure(
                .storageFailure, "nothing was recorded: \(e)",
                ja: "記録できませんでした（何も保存されていません）: \(e)")
        }
    }

    func dispatch(_ request: JSONValue, from peer: PeerIdentity) async throws -> JSONValue {
        guard case .object(let o) = request else {
            throw ValidationError(
                .invalidRequest, field: nil, "a request must be a JSON object with \"op\", not \(request.typeName)",
                ja: "リクエストは \"op\" を持つ JSON オブジェクトでなければなりません")
        }
        guard let opValue = o["op"] else {
            throw ValidationError(
                .missingField, field: "op", "op is required (one of \(ControlOperation.names.joined(separator: ", ")))",
                ja: "op は必須です（\(ControlOperation.names.joined(separator: ", ")) のいずれか）")
        }
        guard case .string(let op) = opValue else {
            throw ValidationError(.wrongType, field: "op", "op must be a string, not \(opValue.typeName)", ja: "op は文字列でなければなりません")
        }
        guard let operation = ControlOperation(rawValue: op) else {
            var message = "unknown op \"\(TerminalSafe.quoted(op))\"; known ops: \(ControlOperation.names.joined(separator: ", "))"
            if let s = Suggestion.closest(to: op, among: ControlOperation.names) {
                message = "unknown op \"\(TerminalSafe.quoted(op))\"; did you mean \"\(s)\"?"
            }
            throw ValidationError(.unknownOp, field: "op", message, ja: "不明な操作「\(TerminalSafe.quoted(op))」です")
        }
        let members = operation.members
        for key in o.keys.sorted() where key != "op" && !members.contains(key) {
            var message = "\(op) does not take \"\(TerminalSafe.quoted(key))\""
            if let s = Suggestion.closest(to: key, among: members) { message += "; did you mean \"\(s)\"?" }
            throw ValidationError(
                .unknownField, field: TerminalSafe.bounded(key), message, ja: "\(op) に「\(TerminalSafe.quoted(key))」は指定できません")
        }

        let roles = context.policy.withLock { $0 }.roles(
            uid: peer.uid, user: peer.user, groups: peer.groups, daemonUID: context.settings.daemonUID)
        let role: Role
        var ownOnly = false
        switch Permission.decide(operation, roles: roles) {
        case .allowed(let r): role = r
        case .allowedOwnCasesOnly(let r): role = r; ownOnly = true
        case .identityOnly: return identity(peer: peer, roles: roles)
        case .denied(let reason):
            return try await deny(operation, caseID: o["id"]?.stringValue, peer: peer, reason: reason)
        }
        let actor = EventActor(peer: peer, role: role, channel: "socket")

        return try await route(operation, o, actor: actor, ownOnly: ownOnly, peer: peer, roles: roles)
    }

    /// Decodes the request of `operation` into its type and hands it to the handler of its area.
    /// Exhaustive: a new op does not compile until it is routed.
    func route(
        _ operation: ControlOperation, _ o: [String: JSONValue], actor: EventActor, ownOnly: Bool, peer: PeerIdentity, roles: Set<Role>
    ) async throws -> JSONValue {
        switch operation {
        case .status: return try await status(peer: peer, roles: roles)
        case .playbookList: return steps.playbookList()
        case .report: return try await cases.report(ReportRequest(decoding: o), actor: actor)
        case .caseGet: return try await cases.get(CaseRequest(.caseGet, decoding: o), actor: actor, ownOnly: ownOnly)
        case .caseList: return try await cases.list(CaseListRequest(decoding: o), actor: actor, ownOnly: ownOnly)
        case .caseUpdate: return try await cases.update(CaseUpdateRequest(decoding: o), actor: actor)
        case .outboxList: return try await outbox.outboxList(OutboxListRequest(decoding: o))
        case .outboxRetry: return try await outbox.outboxRetry(OutboxRetryRequest(decoding: o), actor: actor)
        case .spoolList: return try await spoolHandler.spoolList(SpoolListRequest(decoding: o), actor: actor, ownOnly: ownOnly)
        case .caseSteps: return try await steps.steps(CaseRequest(.caseSteps, decoding: o), actor: actor, ownOnly: ownOnly)
        case .stepDone, .stepSkip:
            return try await steps.stepAction(StepRequest(skip: operation == .stepSkip, decoding: o), actor: actor)
        case .caseTransition: return try await lifecycle.transition(TransitionRequest(decoding: o), actor: actor)
        case .caseGates: return try await lifecycle.gates(CaseRequest(.caseGates, decoding: o), actor: actor, ownOnly: ownOnly)
        case .instructionAdd: return try await lifecycle.instructionAdd(InstructionAddRequest(decoding: o), actor: actor)
        case .instructionDone: return try await lifecycle.instructionDone(InstructionDoneRequest(decoding: o), actor: actor)
        case .casePublication: return try await lifecycle.publication(PublicationRequest(decoding: o), actor: actor)
        case .caseSubmit: return try await lifecycle.submit(SubmitRequest(decoding: o), actor: actor)
        case .caseReport: return try await reports.dossier(CaseRequest(.caseReport, decoding: o), actor: actor, ownOnly: ownOnly)
        case .statusReport: return try await reports.statusReport(StatusReportRequest(decoding: o))
        case .ledgerAdd, .ledgerList, .ledgerGet, .ledgerUpdate, .ledgerSubmit, .ledgerTakeOut, .ledgerApprove, .ledgerReturn,
            .ledgerWithdraw,
            .disposalApply, .disposalDone:
            return try await ledger.handle(LedgerRequest(ledger: operation, decoding: o), actor: actor)
        }
    }

    /// Refuses a request for lack of a role. The refusal is recorded as an `access.denied` event
    /// holding only bounded facts (the op, the reason, a well-formed case id), and at most
    /// `RefusalLimiter.burst` in a row per user: beyond that refusals are counted, and the count
    /// is recorded with the next refusal that is. The event belongs to no case (a refusal changes
    /// nothing), so it never alters a case's history or its replay.
    func deny(_ op: ControlOperation, caseID: String?, peer: PeerIdentity, reason: String) async throws -> JSONValue {
        let now = clock.now()
        let (record, suppressed) = refusals.withLock { $0.admit(uid: peer.uid, now: now.timeIntervalSince1970) }
        if record {
            let actor = EventActor(peer: peer, role: nil, channel: "socket")
            var data: [String: JSONValue] = ["op": .string(op.rawValue), "reason": .string(reason)]
            if let caseID, CaseID.parse(caseID) != nil { data["case_id"] = .string(caseID) }
            if suppressed > 0 { data["suppressed"] = .int(Int64(suppressed)) }
            try await store.record(type: .accessDenied, caseID: nil, actor: actor, data: .object(data), at: now)
            logger.notice(
                "refused",
                metadata: [
                    "op": "\(op.rawValue)", "uid": "\(peer.uid)", "user": "\(peer.user ?? "?")",
                    "reason": "\(reason)", "suppressed": "\(suppressed)",
                ])
        }
        return ControlResponse.failure(
            .forbidden, "forbidden: \(reason) (uid \(peer.uid)\(peer.user.map { ", user " + $0 } ?? ""))",
            ja: "権限がありません: この操作には別の役割が必要です（uid \(peer.uid)）")
    }

    /// `status` for a peer without a role: who they are and their (empty) roles, nothing else.
    func identity(peer: PeerIdentity, roles: Set<Role>) -> JSONValue {
        ControlResponse.success(["status": ["you": Self.you(peer: peer, roles: roles)]])
    }

    /// The `you` member of `status`: the peer's uid, user name and roles.
    static func you(peer: PeerIdentity, roles: Set<Role>) -> JSONValue {
        ["uid": .int(Int64(peer.uid)), "user": .optional(peer.user), "roles": .array(roles.sorted().map { .string($0.rawValue) })]
    }

    /// `status`: the daemon, the store's counts and chain head, and who you are.
    func status(peer: PeerIdentity, roles: Set<Role>) async throws -> JSONValue {
        let stats = try await store.stats()
        let now = clock.now()
        return ControlResponse.success([
            "status": [
                "version": .string(SokuhoVersion.current),
                "pid": .int(Int64(ProcessInfo.processInfo.processIdentifier)),
                "started_at": .string(Timestamp.format(context.startedAt)),
                "uptime_seconds": .int(Int64(now.timeIntervalSince(context.startedAt))),
                "cases": .int(Int64(stats.cases)),
                "events": .int(stats.events),
                "head_hash": .string(stats.headHash),
                "database": .string(store.path),
                "socket": .string(context.settings.socketDescription),
                "you": Self.you(peer: peer, roles: roles),
            ]
        ])
    }
}
