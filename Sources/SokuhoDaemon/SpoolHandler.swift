import Foundation
import SokuhoControl
import SokuhoCore
import SokuhoSpool
import SokuhoStore

/// The spool's decisions: a dropped file opens a case exactly as a socket report does, with the
/// file's owner as the reporter, or is rejected with an event in the audit chain.
struct SpoolHandler: DeskArea, SpoolIntakeHandler {
    let context: DeskContext

    func intake(_ drop: SpoolDrop) async throws -> SpoolDecision {
        if let known = try await store.spoolRecord(name: drop.name, sha256: drop.key, ownerUID: drop.owner.uid) {
            return Self.decision(known)
        }
        var owner = drop.owner
        owner.user = UnixAccounts.userName(uid: owner.uid)
        owner.groups = UnixAccounts.groupNames(user: owner.user, gid: owner.gid)
        let roles = context.policy.withLock { $0 }.roles(
            uid: owner.uid, user: owner.user, groups: owner.groups, daemonUID: context.settings.daemonUID)
        let role: Role
        switch Permission.decide(.report, roles: roles) {
        case .allowed(let r), .allowedOwnCasesOnly(let r): role = r
        case .identityOnly: role = .reporter  // not an answer `report` gives; see Permission
        case .denied(let reason):
            let error = ValidationError(
                .forbidden, field: nil,
                "the file's owner (uid \(owner.uid)\(owner.user.map { ", user " + $0 } ?? "")) may not report: \(reason)",
                ja: "ファイルの所有者（uid \(owner.uid)）には報告の権限がありません")
            return try await reject(drop, error, actor: EventActor(peer: owner, role: nil, channel: "spool"))
        }
        let actor = EventActor(peer: owner, role: role, channel: "spool")
        let content: SpoolDecoder.Content
        switch drop.content {
        case .failure(let e): return try await reject(drop, e, actor: actor)
        case .success(let c): content = c
        }
        let report: Report
        do { report = try Report.validate(content.fields) } catch { return try await reject(drop, error, actor: actor) }
        let now = clock.now()
        let source = ReportSource(
            channel: "spool", file: drop.name, sha256: drop.key, size: drop.size,
            format: content.format, encoding: content.encoding)
        let opened: Result<OpenResult, StoreError>
        do {
            opened = .success(
                try await store.openCase(
                    report, actor: actor, at: now, year: Timestamp.year(of: now, utcOffset: utcOffset(now)),
                    source: source, escalateTo: escalation, playbooks: currentPlaybooks))
        } catch {
            opened = .failure(error)
        }
        let result: OpenResult
        switch opened {
        case .success(let r): result = r
        case .failure(.invalid(let e)):
            // Refused on what the store knows (a ledger entry that does not exist, information
            // only a lead's report may leave to the ledger): set aside with the reason, like any
            // invalid report — never retried.
            return try await reject(drop, e, actor: actor)
        case .failure(let e): throw e
        }
        if !result.duplicate {
            logger.notice(
                "case opened",
                metadata: [
                    "case": "\(result.case.id)", "kind": "\(report.kind.rawValue)", "suspected": "\(report.suspected)",
                    "uid": "\(owner.uid)", "seq": "\(result.receipt.seq)", "channel": "spool", "file": "\(drop.name)",
                    "encoding": "\(content.encoding)", "playbook": "\(result.case.playbook?.id ?? "-")",
                ])
            changed(result.case.id, handing: result.queued)
        }
        return .accepted(caseID: result.case.id, duplicate: result.duplicate)
    }

    /// `spool.list`: what waits, what was set aside (with reasons), and with `states` also what
    /// was taken. Reporters see only files they own.
    func spoolList(_ request: SpoolListRequest, actor: EventActor, ownOnly: Bool) async throws -> JSONValue {
        guard let layout = context.settings.spool else {
            throw ValidationError(.invalidRequest, field: nil, "this daemon has no spool", ja: "このデーモンにはスプールがありません")
        }
        var states: Set<SpoolListing.State> = [.writing, .waiting, .rejected]
        if let names = request.states {
            states = []
            for name in names { states.insert(try FieldReader.enumValue("states", name, SpoolListing.State.self)) }
        }
        let limit = request.limit ?? 200
        let items: [SpoolListing.Item]
        let owners = states.contains(.accepted) ? try await store.acceptedSpoolOwners() : [:]
        do {
            items = try SpoolListing.list(
                layout, states: states, ownerUID: ownOnly ? actor.peer.uid : nil, limit: limit, acceptedOwners: owners)
        } catch {
            logger.error("cannot list the spool", metadata: ["error": "\(error)"])
            return ControlResponse.failure(.storageFailure, "cannot list the spool: \(error)", ja: "スプールを一覧できません: \(error)")
        }
        return ControlResponse.success([
            "files": .array(items.map(\.json)), "count": .int(Int64(items.count)), "spool_dir": .string(layout.root),
        ])
    }

    /// Records a rejection — at most 200 in a row per file owner, then two a second: beyond that
    /// the entry is deferred, unrecorded, and tried again later (a reporter making 10,000
    /// directories cannot add 10,000 events at once).
    func reject(_ drop: SpoolDrop, _ error: ValidationError, actor: EventActor) async throws -> SpoolDecision {
        // (`intake` has already answered a file decided before: this is a new rejection.)
        let (admitted, _) = context.spoolRejections.withLock { $0.admit(uid: actor.peer.uid, now: clock.now().timeIntervalSince1970) }
        if !admitted { return .deferred(retryAfter: 10) }
        let details: [String: JSONValue] = [
            "size": .int(Int64(drop.size)),
            "owner": ["uid": .int(Int64(actor.peer.uid)), "gid": .int(Int64(actor.peer.gid)), "user": .optional(actor.peer.user)],
        ]
        let record = try await store.recordSpoolRejection(
            name: drop.name, sha256: drop.key, error: error, details: details,
            actor: actor, at: clock.now())
        return Self.decision(record)
    }

    static func decision(_ r: SpoolRecord) -> SpoolDecision {
        switch r.outcome {
        case .accepted:
            return .accepted(caseID: r.caseID ?? "?", duplicate: true)
        case .rejected:
            let e = r.error ?? .null
            let error = ValidationError(
                ErrorCode(rawValue: e["code"]?.stringValue ?? "") ?? .invalidRequest, field: e["field"]?.stringValue,
                e["message"]?.stringValue ?? "rejected", ja: e["message_ja"]?.stringValue ?? "却下")
            return .rejected(error, eventSeq: r.eventSeq, at: r.at)
        }
    }
}
