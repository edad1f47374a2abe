import Testing

@testable import SokuhoCore

/// The typed requests the CLI builds agree with the op table the daemon checks: every op has a
/// request type, and every member a request sends is one the op accepts.
@Suite struct ControlRequestTests {
    /// One request of each op, with every optional member set.
    static let everyRequest: [any ControlRequest] = [
        PlainRequest(.status), PlainRequest(.playbookList),
        CaseRequest(.caseGet, id: "INC-2026-0001"), CaseRequest(.caseSteps, id: "INC-2026-0001"),
        CaseRequest(.caseGates, id: "INC-2026-0001"), CaseRequest(.caseReport, id: "INC-2026-0001"),
        ReportRequest(report: ["kind": "loss"]),
        CaseListRequest(kind: "loss", state: "open", limit: 5, mine: true),
        CaseUpdateRequest(id: "INC-2026-0001", fields: ["count": 3]),
        OutboxListRequest(caseID: "INC-2026-0001", state: "dead", limit: 5),
        OutboxRetryRequest(messageID: "msg_x", endpoint: "city"),
        SpoolListRequest(states: ["rejected"], limit: 5),
        StepRequest.done(id: "INC-2026-0001", step: "contain", note: "done"),
        StepRequest.skip(id: "INC-2026-0001", step: "contain", reason: "city said so"),
        TransitionRequest(id: "INC-2026-0001", to: "closed", reason: "r", resolution: "fixed"),
        InstructionAddRequest(id: "INC-2026-0001", text: "t", from: "city", issuedAt: "2026-11-28T00:00:00Z"),
        InstructionDoneRequest(id: "INC-2026-0001", instruction: "I-1", response: "r"),
        PublicationRequest(id: "INC-2026-0001", decision: "planned", date: "2026-12-01", url: "https://example.jp", note: "n"),
        SubmitRequest(id: "INC-2026-0001", report: "preliminary"),
        StatusReportRequest(from: "2026-11-01", to: "2026-11-30"),
        LedgerRequest.add(entry: ["name": "台帳"]), LedgerRequest.list(state: "held", category: "personal", limit: 5),
        LedgerRequest.get(id: "L-0001"), LedgerRequest.update(id: "L-0001", fields: ["records": 3]), LedgerRequest.submit,
        LedgerRequest.takeOut(id: "L-0001", purpose: "p", until: "2026-12-01", encrypted: true),
        LedgerRequest.approve(request: "L-0001-T1", by: "市", approvedAt: "2026-11-28", approvalID: "A-1"),
        LedgerRequest.returnTakeOut(request: "L-0001-T1", note: "n"), LedgerRequest.withdraw(request: "L-0001-T1", reason: "r"),
        LedgerRequest.disposalApply(id: "L-0001", method: "溶解", medium: "紙", quantity: "1箱", planned: "2026-12-01"),
        LedgerRequest.disposalDone(request: "L-0001-D1", at: "2026-12-01", by: "山田", witness: "佐藤"),
    ]

    @Test func everyOpHasARequestType() {
        let covered = Set(Self.everyRequest.map(\.operation))
        #expect(covered == Set(ControlOperation.allCases))
    }

    @Test func requestsSendOnlyMembersTheirOpAccepts() {
        for request in Self.everyRequest {
            guard case .object(let o) = request.json else {
                Issue.record("\(request.operation) is not an object")
                continue
            }
            #expect(o["op"] == .string(request.operation.rawValue))
            let sent = Set(o.keys).subtracting(["op"])
            #expect(sent.isSubset(of: Set(request.operation.members)), "\(request.operation.rawValue) sends \(sent)")
        }
    }

    @Test func absentMembersAreLeftOut() {
        let r = CaseListRequest().json
        #expect(r == ["op": "case.list"])
        #expect(StepRequest.done(id: "A", step: "s", note: nil).json == ["op": "step.done", "id": "A", "step": "s"])
    }
}
