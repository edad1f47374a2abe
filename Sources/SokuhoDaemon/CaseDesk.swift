import Foundation
import Logging
import SokuhoConfig
import SokuhoControl
import SokuhoCore
import SokuhoStore
import SokuhoSpool
import Synchronization
import SokuhoWebhook

/// The daemon's request desk: checks each request, decides who may do it, runs it against the
/// store, and answers. Every refusal for lack of a role is recorded as an `access.denied` event.
public final class CaseDesk: ControlRequestHandler {
    let store: CaseStore
    let clock: any SokuhoCore.Clock
    let daemonUID: UInt32
    let utcOffset: @Sendable (Date) -> Int
    let logger: Logger
    let startedAt: Date
    let socketDescription: String
    let policy: Mutex<RolePolicy>
    /// Endpoint names that receive escalations, and the worker to wake when one is queued.
    let escalation: [String]
    let wakeup: Wakeup?
    /// The spool, for `spool.list`.
    let spool: SpoolLayout?
    /// The playbooks in force for new cases (replaced on reload).
    let playbooks: Mutex<PlaybookSet>
    /// Told about every case change, so automatic steps run at once.
    let playbookQueue: PlaybookQueue?
    /// The deadlines of every case.
    let clockSettings: ClockSettings
    /// Called after a case is opened or changed (used for the systemd STATUS line).
    let onChange: @Sendable (String) -> Void
    /// How many refusals each user may write into the record (`RefusalLimiter`).
    let refusals = Mutex(RefusalLimiter())

    public static let version = "0.1.0"

    public init(store: CaseStore, policy: RolePolicy, clock: any SokuhoCore.Clock, daemonUID: UInt32,
                utcOffset: @escaping @Sendable (Date) -> Int, logger: Logger, socketDescription: String,
                escalation: [String] = [], wakeup: Wakeup? = nil, spool: SpoolLayout? = nil,
                playbooks: PlaybookSet = .empty, playbookQueue: PlaybookQueue? = nil, clockSettings: ClockSettings = ClockSettings(),
                onChange: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.policy = Mutex(policy)
        self.clock = clock
        self.daemonUID = daemonUID
        self.utcOffset = utcOffset
        self.logger = logger
        self.startedAt = clock.now()
        self.socketDescription = socketDescription
        self.onChange = onChange
        self.escalation = escalation
        self.wakeup = wakeup
        self.spool = spool
        self.playbooks = Mutex(playbooks)
        self.playbookQueue = playbookQueue
        self.clockSettings = clockSettings
    }

    /// Replaces the playbooks for new cases (on reload). Running cases keep their version.
    public func replacePlaybooks(_ set: PlaybookSet) { playbooks.withLock { $0 = set } }

    var currentPlaybooks: PlaybookSet { playbooks.withLock { $0 } }

    /// After a case was opened or changed: status line, delivery worker, playbook runner.
    func changed(_ id: String) {
        onChange(id)
        wakeup?.signal()
        playbookQueue?.touch(id)
    }

    /// Replaces the role policy (on reload).
    public func replacePolicy(_ p: RolePolicy) { policy.withLock { $0 = p } }

    public func handle(_ request: JSONValue, from peer: PeerIdentity) async -> JSONValue {
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
        var r = ControlResponse.failure(.conflict, "the case cannot be closed yet:\n" + e.gates.map { "  - " + $0.en }.joined(separator: "\n"),
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
        case .notFound(let id):
            return ControlResponse.failure(.notFound, "no case \(id)", ja: "事案 \(id) は見つかりません", field: "id")
        default:
            logger.error("storage failure", metadata: ["error": "\(e)"])
            return ControlResponse.failure(.storageFailure, "nothing was recorded: \(e)",
                                           ja: "記録できませんでした（何も保存されていません）: \(e)")
        }
    }

    func dispatch(_ request: JSONValue, from peer: PeerIdentity) async throws -> JSONValue {
        guard case .object(let o) = request else {
            throw ValidationError(.invalidRequest, field: nil, "a request must be a JSON object with \"op\", not \(request.typeName)",
                                  ja: "リクエストは \"op\" を持つ JSON オブジェクトでなければなりません")
        }
        guard let opValue = o["op"] else {
            throw ValidationError(.missingField, field: "op", "op is required (one of \(ControlResponse.operations.joined(separator: ", ")))",
                                  ja: "op は必須です（\(ControlResponse.operations.joined(separator: ", ")) のいずれか）")
        }
        guard case .string(let op) = opValue else {
            throw ValidationError(.wrongType, field: "op", "op must be a string, not \(opValue.typeName)", ja: "op は文字列でなければなりません")
        }
        guard let operation = ControlOperation(rawValue: op) else {
            var message = "unknown op \"\(Self.bounded(op))\"; known ops: \(ControlResponse.operations.joined(separator: ", "))"
            if let s = Suggestion.closest(to: op, among: ControlResponse.operations) { message = "unknown op \"\(Self.bounded(op))\"; did you mean \"\(s)\"?" }
            throw ValidationError(.unknownOp, field: "op", message, ja: "不明な操作「\(Self.bounded(op))」です")
        }
        let members = operation.members
        for key in o.keys.sorted() where key != "op" && !members.contains(key) {
            var message = "\(op) does not take \"\(Self.bounded(key))\""
            if let s = Suggestion.closest(to: key, among: members) { message += "; did you mean \"\(s)\"?" }
            throw ValidationError(.unknownField, field: Self.bounded(key), message, ja: "\(op) に「\(Self.bounded(key))」は指定できません")
        }

        let roles = policy.withLock { $0 }.roles(uid: peer.uid, user: peer.user, groups: peer.groups, daemonUID: daemonUID)
        let role: Role
        var ownOnly = false
        switch Permission.decide(operation, roles: roles) {
        case .allowed(let r): role = r
        case .allowedOwnCasesOnly(let r): role = r; ownOnly = true
        case .identityOnly: return identity(peer: peer, roles: roles)
        case .denied(let reason):
            return try await deny(operation, caseID: o["id"]?.stringValue, peer: peer, reason: reason)
        }
        let actor = Actor(peer: peer, role: role, channel: "socket")

        switch operation {
        case .report: return try await report(o, actor: actor)
        case .caseGet: return try await get(o, actor: actor, ownOnly: ownOnly)
        case .caseList: return try await list(o, actor: actor, ownOnly: ownOnly)
        case .caseUpdate: return try await update(o, actor: actor)
        case .outboxList: return try await outboxList(o)
        case .outboxRetry: return try await outboxRetry(o, actor: actor)
        case .spoolList: return try await spoolList(o, actor: actor, ownOnly: ownOnly)
        case .caseSteps: return try await steps(o, actor: actor, ownOnly: ownOnly)
        case .stepDone, .stepSkip: return try await stepAction(op, o, actor: actor)
        case .playbookList: return playbookList()
        case .caseTransition: return try await transition(o, actor: actor)
        case .caseGates: return try await gates(o, actor: actor, ownOnly: ownOnly)
        case .instructionAdd: return try await instructionAdd(o, actor: actor)
        case .instructionDone: return try await instructionDone(o, actor: actor)
        case .casePublication: return try await publication(o, actor: actor)
        case .caseSubmit: return try await submit(o, actor: actor)
        case .caseReport: return try await dossier(o, actor: actor, ownOnly: ownOnly)
        case .statusReport: return try await statusReport(o)
        case .status: return try await status(peer: peer, roles: roles)
        }
    }

    /// A user-supplied name cut to 64 characters for an error message or a record.
    static func bounded(_ s: String, limit: Int = 64) -> String {
        s.count <= limit ? s : String(s.prefix(limit)) + "…"
    }

    /// Refuses a request for lack of a role. The refusal is recorded as an `access.denied` event
    /// holding only bounded facts (the op, the reason, a well-formed case id), and at most
    /// `RefusalLimiter.burst` in a row per user: beyond that refusals are counted, and the count
    /// is recorded with the next refusal that is. The event belongs to no case (a refusal changes
    /// nothing), so it never alters a case's history or its replay.
    func deny(_ op: ControlOperation, caseID: String?, peer: PeerIdentity, reason: String) async throws -> JSONValue {
        let (record, suppressed) = refusals.withLock { $0.admit(uid: peer.uid, now: clock.now().timeIntervalSince1970) }
        if record {
            let actor = Actor(peer: peer, role: nil, channel: "socket")
            var data: [String: JSONValue] = ["op": .string(op.rawValue), "reason": .string(reason)]
            if let caseID, CaseID.parse(caseID) != nil { data["case_id"] = .string(caseID) }
            if suppressed > 0 { data["suppressed"] = .int(Int64(suppressed)) }
            try await store.record(type: .accessDenied, caseID: nil, actor: actor, data: .object(data), at: clock.now())
            logger.notice("refused", metadata: ["op": "\(op.rawValue)", "uid": "\(peer.uid)", "user": "\(peer.user ?? "?")",
                                                "reason": "\(reason)", "suppressed": "\(suppressed)"])
        }
        return ControlResponse.failure(.forbidden, "forbidden: \(reason) (uid \(peer.uid)\(peer.user.map { ", user " + $0 } ?? ""))",
                                       ja: "権限がありません: この操作には別の役割が必要です（uid \(peer.uid)）")
    }

    /// `status` for a peer without a role: who they are and their (empty) roles, nothing else.
    func identity(peer: PeerIdentity, roles: Set<Role>) -> JSONValue {
        ControlResponse.success([
            "status": ["you": ["uid": .int(Int64(peer.uid)), "user": .optional(peer.user),
                               "roles": .array(roles.sorted().map { .string($0.rawValue) })]]
        ])
    }

    func report(_ o: [String: JSONValue], actor: Actor) async throws -> JSONValue {
        guard let body = o["report"] else {
            throw ValidationError(.missingField, field: "report", "report is required: {\"op\":\"report\",\"report\":{…}}",
                                  ja: "report は必須です")
        }
        let report = try Report.validate(body)
        let now = clock.now()
        let result = try await store.openCase(report, actor: actor, at: now, year: Timestamp.year(of: now, utcOffset: utcOffset(now)),
                                              escalateTo: escalation, playbooks: currentPlaybooks)
        if result.duplicate {
            logger.info("report repeated; same case returned", metadata: ["case": "\(result.case.id)", "uid": "\(actor.peer.uid)"])
        } else {
            logger.notice("case opened", metadata: [
                "case": "\(result.case.id)", "kind": "\(report.kind.rawValue)", "suspected": "\(report.suspected)",
                "uid": "\(actor.peer.uid)", "seq": "\(result.receipt.seq)", "playbook": "\(result.case.playbook?.id ?? "-")",
            ])
            changed(result.case.id)
        }
        return ControlResponse.success([
            "case": result.case.json, "receipt": result.receipt.json, "duplicate": .bool(result.duplicate),
        ])
    }

    func caseID(_ o: [String: JSONValue]) throws -> String {
        guard let v = o["id"] else {
            throw ValidationError(.missingField, field: "id", "id is required (a case id such as INC-2026-0001)", ja: "id（事案番号）は必須です")
        }
        guard case .string(let id) = v else {
            throw ValidationError(.wrongType, field: "id", "id must be a string, not \(v.typeName)", ja: "id は文字列でなければなりません")
        }
        guard CaseID.parse(id) != nil else {
            throw ValidationError(.invalidValue, field: "id", "id must look like INC-2026-0001, not \"\(id)\"",
                                  ja: "id は INC-2026-0001 の形式で指定してください")
        }
        return id
    }

    func get(_ o: [String: JSONValue], actor: Actor, ownOnly: Bool) async throws -> JSONValue {
        let id = try caseID(o)
        guard let (c, events) = try await store.getCase(id: id), !ownOnly || c.reportedBy.uid == actor.peer.uid else {
            // A reporter learns nothing about cases that are not theirs, not even that they exist.
            throw StoreError.notFound(id: id)
        }
        let history: [JSONValue] = events.map { e in
            ["seq": .int(e.seq), "at": .string(e.at), "type": .string(e.type), "hash": .string(e.hash),
             "actor": ["uid": e.actor["uid"] ?? .null, "user": e.actor["user"] ?? .null, "role": e.actor["role"] ?? .null],
             "data": e.type == EventType.caseUpdated.rawValue ? (e.data["changes"] ?? .null) : .null]
        }
        let messages = try await store.outbox(caseID: id)
        let attempts = try await store.attempts(caseID: id)
        let escalation: [JSONValue] = messages.reversed().map { m in
            guard case .object(var o) = m.json else { return m.json }
            o["attempt_log"] = .array(attempts[m.messageID] ?? [])
            return .object(o)
        }
        var members = try await clocksAndAssessment(c)
        members["case"] = c.json
        members["events"] = .array(history)
        members["escalation"] = .array(escalation)
        return ControlResponse.success(members)
    }

    func list(_ o: [String: JSONValue], actor: Actor, ownOnly: Bool) async throws -> JSONValue {
        var filter = CaseFilter()
        let reader = FieldReader(object: o)
        filter.kind = try reader.optionalEnum("kind", IncidentKind.self)
        filter.state = try reader.optionalEnum("state", CaseState.self)
        if let limit = try reader.optionalInt("limit", in: 1...10_000) { filter.limit = Int(limit) }
        let mine = try reader.optionalBool("mine") ?? false
        if ownOnly || mine { filter.reporterUID = actor.peer.uid }
        let cases = try await store.listCases(filter)
        return ControlResponse.success(["cases": .array(cases), "count": .int(Int64(cases.count))])
    }

    func update(_ o: [String: JSONValue], actor: Actor) async throws -> JSONValue {
        let id = try caseID(o)
        guard let fields = o["fields"] else {
            throw ValidationError(.missingField, field: "fields", "fields is required: the report fields to complete or correct",
                                  ja: "fields（変更する項目）は必須です")
        }
        let result = try await store.updateCase(id: id, fields: fields, actor: actor, at: clock.now(), escalateTo: escalation)
        if result.receipt != nil {
            logger.notice("case updated", metadata: ["case": "\(id)", "fields": "\(result.changes.keys.sorted().joined(separator: ","))",
                                                     "uid": "\(actor.peer.uid)"])
            changed(id)
        }
        return ControlResponse.success([
            "case": result.case.json, "changes": .object(result.changes), "receipt": result.receipt?.json ?? .null,
        ])
    }

    func outboxList(_ o: [String: JSONValue]) async throws -> JSONValue {
        let reader = FieldReader(object: o)
        var caseID: String?
        if let v = o["case_id"] { caseID = try self.caseID(["id": v]) }
        let state = try reader.optionalEnum("state", OutboxMessage.State.self)
        let limit = Int(try reader.optionalInt("limit", in: 1...10_000) ?? 200)
        let messages = try await store.outbox(caseID: caseID, state: state, limit: limit)
        let disabled = try await store.disabledEndpoints().map { e -> JSONValue in
            ["endpoint": .string(e.name), "disabled_at": .string(e.at), "reason": .string(e.reason)]
        }
        return ControlResponse.success([
            "messages": .array(messages.map(\.json)), "count": .int(Int64(messages.count)), "disabled_endpoints": .array(disabled),
        ])
    }

    func outboxRetry(_ o: [String: JSONValue], actor: Actor) async throws -> JSONValue {
        let reader = FieldReader(object: o)
        let messageID = try reader.optionalText("message_id")
        let endpoint = try reader.optionalText("endpoint")
        let count = try await store.retry(messageID: messageID, endpoint: endpoint, now: clock.now().timeIntervalSince1970)
        logger.notice("outbox retry requested", metadata: [
            "message": "\(messageID ?? "*")", "endpoint": "\(endpoint ?? "*")", "requeued": "\(count)", "uid": "\(actor.peer.uid)",
        ])
        wakeup?.signal()
        return ControlResponse.success(["requeued": .int(Int64(count))])
    }

    func status(peer: PeerIdentity, roles: Set<Role>) async throws -> JSONValue {
        let stats = try await store.stats()
        let now = clock.now()
        return ControlResponse.success([
            "status": [
                "version": .string(Self.version),
                "pid": .int(Int64(ProcessInfo.processInfo.processIdentifier)),
                "started_at": .string(Timestamp.format(startedAt)),
                "uptime_seconds": .int(Int64(now.timeIntervalSince(startedAt))),
                "cases": .int(Int64(stats.cases)),
                "events": .int(stats.events),
                "head_hash": .string(stats.headHash),
                "database": .string(store.path),
                "socket": .string(socketDescription),
                "you": ["uid": .int(Int64(peer.uid)), "user": .optional(peer.user),
                        "roles": .array(roles.sorted().map { .string($0.rawValue) })],
            ]
        ])
    }
}
