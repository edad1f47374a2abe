import Foundation
import SokuhoCore
import SokuhoStore
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
        case .casePublication: o["id"] = .string(id); o["decision"] = "not_published"
        case .caseSubmit: o["id"] = .string(id); o["report"] = "preliminary"
        case .statusReport: o["from"] = "2026-01-01"; o["to"] = "2027-01-01"
        }
        return .object(o)
    }

    /// The role table (`docs/protocol.md`), as outcomes.
    static func expected(_ op: ControlOperation, _ v: Viewer) -> Outcome {
        if v == .admin || v == .lead { return op.access == .leads ? .permitted : .ok }
        switch (op.access, v) {
        case (.anyone, _): return .ok
        case (_, .noRole): return .forbidden
        case (.anyRole, _): return .ok
        case (.reporters, .auditor): return .forbidden
        case (.reporters, _): return .ok
        case (.readers, .reporterOther): return [.caseList, .spoolList].contains(op) ? .ok : .notFound
        case (.readers, _): return .ok
        case (.overseers, .auditor): return .ok
        case (.overseers, _), (.leads, _): return .forbidden
        }
    }

    static func outcome(_ r: JSONValue) -> Outcome {
        if r["ok"]?.boolValue == true { return .ok }
        switch r["error"]?["code"]?.stringValue {
        case "forbidden": return .forbidden
        case "not_found": return .notFound
        default: return .permitted
        }
    }

    @Test("each op answers each kind of user as the role table says; verify passes afterwards",
          arguments: Viewer.allCases)
    func matrix(_ viewer: Viewer) async throws {
        let f = try DeskFixture()
        let id = try await f.report(.alice)
        var forbidden = 0
        for op in ControlOperation.allCases {
            let r = await f.call(viewer.who, Self.request(op, id: id))
            var got = Self.outcome(r)
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
        #expect(refusals.count == forbidden)
        for r in refusals {
            #expect(r.utf8.count < 300, "a refusal records bounded facts only: \(r)")
            #expect(!r.contains("顧客名簿"), "a refusal never records the request's text")
        }
        let verdict = try f.verify()
        #expect(verdict.problem == nil, "\(String(describing: verdict.problem))")
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
            let ops = cells[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            for op in ops { seen[op] = Array(cells[1...4]) }
        }
        #expect(Set(seen.keys) == Set(ControlOperation.names), "ops missing from the table: \(Set(ControlOperation.names).subtracting(seen.keys).sorted())")
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
