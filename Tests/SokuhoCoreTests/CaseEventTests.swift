import Testing

@testable import SokuhoCore

/// Every case event survives the trip through its stored form, and data that lacks what its type
/// needs is refused with the reason rather than applied half.
@Suite struct CaseEventTests {
    static let by: JSONValue = ["uid": 1000, "user": "lead"]
    static let every: [CaseEvent] = [
        .updated(FieldChanges(changes: ["count": ["from": .null, "to": 1200]])),
        .playbookAssigned(
            PlaybookAssignment(playbook: "default", hash: "ab12", title: LocalizedText(ja: "既定", en: "Default"), file: "default.yaml")),
        .stepDone(StepDone(step: "contain", by: by, auto: false, note: "権限を修正")),
        .stepDone(StepDone(step: "alert", by: by, auto: true, note: nil, action: ["type": "notify", "endpoint": .null])),
        .stepSkipped(StepSkipped(step: "notify_persons", reason: "市が通知する", by: by)),
        .stepReminded(StepReminded(step: "contain", dueAt: "2026-11-26T10:00:00.000Z", overdueSeconds: 60, endpoint: nil)),
        .transitioned(StateTransition(from: .contained, to: .resolved, reason: nil, resolution: .falsePositive)),
        .transitioned(StateTransition(from: .closed, to: .open, reason: "新たな被害", resolution: nil)),
        .instructionAdded(InstructionAdded(instruction: "I-1", from: "市", text: "一覧を提出", source: "city", externalID: "x-1", issuedAt: nil)),
        .instructionDone(InstructionDone(instruction: "I-1", response: "提出済み", by: by)),
        .appiUpdated(FieldChanges(changes: ["persons": ["from": .null, "to": 3]])),
        .publicationDecided(PublicationDecision(decision: .planned, date: "2026-12-01", url: nil, note: nil)),
        .reportSubmitted(ReportSubmission(report: "preliminary")),
        .clockMissed(ClockMiss(clock: "first_report", dueAt: "2026-11-26T09:15:00.000Z")),
    ]

    @Test func everyEventReadsBackAsWritten() throws {
        for event in Self.every {
            #expect(try CaseEvent(type: event.type, data: event.data) == event, "\(event.type.rawValue)")
        }
        let covered = Set(Self.every.map(\.type))
        let changeNothing: Set<EventType> = Set(EventType.allCases.filter { $0.isLedger || $0 == .ledgerSubmitted }).union([
            .caseOpened, .accessDenied, .spoolRejected, .statusReportSent,
        ])
        #expect(covered.union(changeNothing) == Set(EventType.allCases))
    }

    @Test func eventsThatChangeNoCaseReadAsNil() throws {
        #expect(try CaseEvent(type: .accessDenied, data: ["op": "case.get"]) == nil)
        #expect(try CaseEvent(type: .statusReportSent, data: [:]) == nil)
    }

    @Test func dataMissingWhatItsTypeNeedsIsRefused() {
        #expect(throws: EventDataError("missing step")) { try CaseEvent(type: .stepDone, data: ["note": "x"]) }
        #expect(throws: EventDataError("missing to")) { try CaseEvent(type: .caseTransitioned, data: ["to": "sideways"]) }
        #expect(throws: EventDataError("missing changes")) { try CaseEvent(type: .caseUpdated, data: ["changes": [1, 2]]) }
    }
}
