import Foundation
import SokuhoCore
import SokuhoStore
import SokuhoTestSupport
import Testing

/// Every op of the protocol × every kind of user, against the real desk and store: allowed, or
/// refused with exactly `forbidden` or `not_found` as the role table says; refusals recorded,
/// bounded; and `audit verify` passes afterwards.
@Suite("Permission matrix: every op × every kind of user")
struct PermissionMatrixTests {
    /// What one user may get from one op.
    enum Outcome: Equatable, CustomStringConvertible {
        /// Answered `ok: true`.
        case ok
        /// Not refused for the role (the request may still fail on the case's state).
        case permitted
        case forbidden
        case notFound

        var description: String {
            switch self {
            case .ok: "ok"
            case .permitted: "permitted"
            case .forbidden: "forbidden"
            case .notFound: "not_found"
            }
        }
    }

    /// The kinds of user of the issue: alice reports the case; bob is a reporter for whom it is
    /// someone else's.
    enum Viewer: String, CaseIterable {
        case noRole, reporterOwn, reporterOther, auditor, lead, admin

        var who: DeskFixture.Who {
            switch self {
            case .noRole: .carol
            case .reporterOwn: .alice
            case .reporterOther: .bob
            case .auditor: .audrey
            case .lead: .lena
            case .admin: .root
            }
        }
    }

    /// A well-formed request for `op` about case `id`. Exhaustive: a new op does not compile
    /// until it has a request here and an expectation below.
    static func request(_ op: ControlOperation, id: String) -> JSONValue {
        let base: [String: JSONValue] = ["op": .string(op.rawValue)]
        var o = base
        switch op {
        case .report: o["report"] = minimalReport()
        case .caseGet, .caseSteps, .caseGates, .caseReport: o["id"] = .string(id)
        case .caseList, .status, .outboxList, .outboxRetry, .spoolList, .playbookList: break
        case .caseUpdate: o["id"] = .string(id); o["fields"] = ["count": 5]
        case .stepDone: o["id"] = .string(id); o["step"] = "notify_lead"
        case .stepSkip: o["id"] = .string(id); o["step"] = "notify_lead"; o["reason"] = "r"
        case .caseTransition: o["id"] = .string(id); o["to"] = "contained"
        case .instructionAdd: o["id"] = .string(id); o["text"] = "報告書を提出すること"; o["from"] = "情報政策課"
        case .instructionDone: o["id"] = .string(id); o["instruction"] = "I-1"; o["response"] = "提出した"
        case .casePublication: o["id"] = .string(id); o["decision"] = "not_planned"
        case .caseSubmit: o["id"] = .string(id); o["report"] = "preliminary"
        case .statusReport: o["from"] = "2026-01-01"; o["to"] = "2027-01-01"
        case .ledgerAdd: o["entry"] = entry
        case .ledgerList, .ledgerSubmit: break
        case .ledgerGet: o["id"] = "L-0001"
        case .ledgerUpdate: o["id"] = "L-0001"; o["fields"] = ["records": 10]
        case .ledgerTakeOut: o["id"] = "L-0001"; o["purpose"] = "監査対応"; o["until"] = "2099-01-01"; o["encrypted"] = true
        case .ledgerApprove: o["request"] = "L-0001-T1"; o["by"] = "情報政策課"
        case .ledgerReturn: o["request"] = "L-0001-T1"
        case .ledgerWithdraw: o["request"] = "L-0001-T1"; o["reason"] = "市が不承認"
        case .disposalApply:
            o["id"] = "L-0001"; o["method"] = "溶解"; o["medium"] = "紙"; o["quantity"] = "1箱"; o["planned"] = "2027-02-01"
        case .disposalDone: o["request"] = "L-0001-D1"; o["by"] = "山田"
        }
        return .object(o)
    }

    /// A ledger entry as `ledger.add` takes it.
    static let entry: JSONValue = ["name": "住民票写し交付申請書", "category": "personal", "media": "both", "storage": "書庫A"]

    /// The role table of `docs/protocol.md`, written out by hand, independently of
    /// `ControlOperation.access`: per op, what a reporter (on their own case / on another's), an
    /// auditor and a user without a role get. Leads and admins may use every op.
    static let table: [ControlOperation: (own: Outcome, other: Outcome, auditor: Outcome, none: Outcome)] = [
        .status: (.ok, .ok, .ok, .ok),
        .report: (.ok, .ok, .forbidden, .forbidden),
        .caseGet: (.ok, .notFound, .ok, .forbidden),
        .caseList: (.ok, .ok, .ok, .forbidden),
        .caseSteps: (.ok, .notFound, .ok, .forbidden),
        .caseGates: (.ok, .notFound, .ok, .forbidden),
        .caseReport: (.ok, .notFound, .ok, .forbidden),
        .spoolList: (.ok, .ok, .ok, .forbidden),
        .playbookList: (.ok, .ok, .ok, .forbidden),
        .outboxList: (.forbidden, .forbidden, .ok, .forbidden),
        .statusReport: (.forbidden, .forbidden, .ok, .forbidden),
        .caseUpdate: (.forbidden, .forbidden, .forbidden, .forbidden),
        .outboxRetry: (.forbidden, .forbidden, .forbidden, .forbidden),
        .stepDone: (.forbidden, .forbidden, .forbidden, .forbidden),
        .stepSkip: (.forbidden, .forbidden, .forbidden, .forbidden),
        .caseTransition: (.forbidden, .forbidden, .forbidden, .forbidden),
        .instructionAdd: (.forbidden, .forbidden, .forbidden, .forbidden),
        .instructionDone: (.forbidden, .forbidden, .forbidden, .forbidden),
        .casePublication: (.forbidden, .forbidden, .forbidden, .forbidden),
        .caseSubmit: (.forbidden, .forbidden, .forbidden, .forbidden),
        .ledgerList: (.forbidden, .forbidden, .ok, .forbidden),
        .ledgerGet: (.forbidden, .forbidden, .ok, .forbidden),
        .ledgerAdd: (.forbidden, .forbidden, .forbidden, .forbidden),
        .ledgerUpdate: (.forbidden, .forbidden, .forbidden, .forbidden),
        .ledgerSubmit: (.forbidden, .forbidden, .forbidden, .forbidden),
        .ledgerTakeOut: (.forbidden, .forbidden, .forbidden, .forbidden),
        .ledgerApprove: (.forbidden, .forbidden, .forbidden, .forbidden),
        .ledgerReturn: (.forbidden, .forbidden, .forbidden, .forbidden),
        .ledgerWithdraw: (.forbidden, .forbidden, .forbidden, .forbidden),
        .disposalApply: (.forbidden, .forbidden, .forbidden, .forbidden),
        .disposalDone: (.forbidden, .forbidden, .forbidden, .forbidden),
    ]

    /// Ops that change a case: a lead's request may still be refused by the case's state (a
    /// step that is not ready, a report that lacks items), never for the role.
    static let mutating: Set<ControlOperation> = [
        .caseUpdate, .outboxRetry, .stepDone, .stepSkip, .caseTransition, .instructionAdd,
        .instructionDone, .casePublication, .caseSubmit, .ledgerAdd, .ledgerUpdate, .ledgerSubmit, .ledgerTakeOut, .ledgerApprove,
        .ledgerReturn, .ledgerWithdraw, .disposalApply, .disposalDone,
    ]

    static func expected(_ op: ControlOperation, _ v: Viewer) -> Outcome {
        guard let row = table[op] else { return .forbidden }
        switch v {
        case .lead, .admin: return mutating.contains(op) ? .permitted : .ok
        case .reporterOwn: return row.own
        case .reporterOther: return row.other
        case .auditor: return row.auditor
        case .noRole: return row.none
        }
    }

    /// What an answer was; `nil` for an answer no role may ever get (`internal`, storage failure).
    static func outcome(_ r: JSONValue) -> Outcome? {
        if r["ok"]?.boolValue == true { return .ok }
        switch r["error"]?["code"]?.stringValue {
        case "forbidden": return .forbidden
        case "not_found": return .notFound
        case "conflict", "invalid_value", "missing_field": return .permitted
        default: return nil
        }
    }

    @Test(
        "each op answers each kind of user as the role table says; verify passes afterwards",
        arguments: Viewer.allCases)
    func matrix(_ viewer: Viewer) async throws {
        let f = try DeskFixture()
        let id = try await f.report(.alice)
        let added = await f.call(.lena, ["op": "ledger.add", "entry": Self.entry])
        #expect(added["entry"]?["id"] == "L-0001", "\(added.canonicalString)")
        var forbidden = 0
        for op in ControlOperation.allCases {
            let r = await f.call(viewer.who, Self.request(op, id: id))
            guard var got = Self.outcome(r) else {
                Issue.record("\(op.rawValue) as \(viewer): an answer no request should get: \(r.canonicalString.prefix(300))")
                continue
            }
            let want = Self.expected(op, viewer)
            if want == .permitted, got == .ok { got = .permitted }
            #expect(got == want, "\(op.rawValue) as \(viewer): \(r.canonicalString.prefix(300))")
            if got == .forbidden { forbidden += 1 }
            // What a reporter lists is their own only; a user without a role learns only who they are.
            let listed = r["cases"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            if op == .caseList, viewer == .reporterOther { #expect(!listed.contains(id), "bob lists alice's case") }
            if op == .caseList, viewer == .reporterOwn { #expect(listed.contains(id)) }
            if op == .status, viewer == .noRole {
                #expect(r["status"]?.objectValue?.keys.sorted() == ["you"], "\(r.canonicalString)")
            }
        }
        let refusals = try f.refusals()
        // Recorded up to the per-user burst (20, refilled one every 3 s while the test runs); the
        // rest are counted (`suppressed`) with the next one recorded.
        #expect(refusals.count >= min(forbidden, 20) && refusals.count <= forbidden, "\(refusals.count) of \(forbidden)")
        for r in refusals {
            #expect(r.utf8.count < 300, "a refusal records bounded facts only: \(r)")
            #expect(!r.contains("顧客名簿"), "a refusal never records the request's text")
        }
        let verdict = try f.verify()
        #expect(verdict.problem == nil, "\(String(describing: verdict.problem))")
    }

    @Test("the hand-written table covers every op")
    func tableCoversEveryOp() {
        #expect(Set(Self.table.keys) == Set(ControlOperation.allCases), "add new ops to PermissionMatrixTests.table")
    }

    @Test("every op is in docs/protocol.md's role table, and the table says what ControlOperation.access says")
    func docsTable() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/protocol.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## Who may do what").dropFirst().first)
        var seen: [String: [String]] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5 else { continue }
            let ops = cells[0].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            }
            for op in ops { seen[op] = Array(cells[1...4]) }
        }
        #expect(
            Set(seen.keys) == Set(ControlOperation.names),
            "ops missing from the table: \(Set(ControlOperation.names).subtracting(seen.keys).sorted())")
        for op in ControlOperation.allCases {
            guard let row = seen[op.rawValue] else { continue }
            for (i, roles) in [Set<Role>([.reporter]), [.auditor], [.lead], [.admin, .lead, .auditor, .reporter]].enumerated() {
                let cell = row[i]
                let decision = Permission.decide(op, roles: roles)
                switch decision {
                case .allowed: #expect(cell == "yes", "\(op.rawValue) column \(i): table says \(cell)")
                case .allowedOwnCasesOnly: #expect(cell.hasPrefix("own"), "\(op.rawValue) column \(i): table says \(cell)")
                case .denied, .identityOnly: #expect(cell == "—", "\(op.rawValue) column \(i): table says \(cell)")
                }
            }
        }
    }
}
