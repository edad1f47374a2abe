/// A change to a case, typed: one case per event type that changes a case, each carrying its
/// payload struct. Events are written from these values (`data`) and read back into them
/// (`init(type:data:)`) when a case is replayed. Still read by name: the parts of `data` that
/// `case.get` and `case.report` pass on (`CaseHandler.get`, `ReportHandler.timelineData`) and the
/// timeline sentences built from those answers (`EventSentence`). `case.opened` builds a case
/// rather than changing one (`Case.opened`); `access.denied`, `spool.rejected` and
/// `status_report.sent` are recorded in the chain but change no case.
public enum CaseEvent: Sendable, Equatable {
    case updated(FieldChanges)
    case playbookAssigned(PlaybookAssignment)
    case stepDone(StepDone)
    case stepSkipped(StepSkipped)
    case stepReminded(StepReminded)
    case transitioned(StateTransition)
    case instructionAdded(InstructionAdded)
    case instructionDone(InstructionDone)
    case appiUpdated(FieldChanges)
    case publicationDecided(PublicationDecision)
    case reportSubmitted(ReportSubmission)
    case clockMissed(ClockMiss)

    /// The event type it is stored under.
    public var type: EventType {
        switch self {
        case .updated: .caseUpdated
        case .playbookAssigned: .playbookAssigned
        case .stepDone: .stepDone
        case .stepSkipped: .stepSkipped
        case .stepReminded: .stepReminded
        case .transitioned: .caseTransitioned
        case .instructionAdded: .instructionAdded
        case .instructionDone: .instructionDone
        case .appiUpdated: .appiUpdated
        case .publicationDecided: .publicationDecided
        case .reportSubmitted: .reportSubmitted
        case .clockMissed: .clockMissed
        }
    }

    /// The event's data, as stored in the audit chain.
    public var data: JSONValue {
        switch self {
        case .updated(let p), .appiUpdated(let p): p.data
        case .playbookAssigned(let p): p.data
        case .stepDone(let p): p.data
        case .stepSkipped(let p): p.data
        case .stepReminded(let p): p.data
        case .transitioned(let p): p.data
        case .instructionAdded(let p): p.data
        case .instructionDone(let p): p.data
        case .publicationDecided(let p): p.data
        case .reportSubmitted(let p): p.data
        case .clockMissed(let p): p.data
        }
    }

    /// Reads a stored event back. `nil` for the types that change no case (and `case.opened`);
    /// throws, with the reason, when the data lacks what the type needs.
    public init?(type: EventType, data: JSONValue) throws(EventDataError) {
        switch type {
        case .caseUpdated: self = .updated(try FieldChanges(data: data))
        case .playbookAssigned: self = .playbookAssigned(try PlaybookAssignment(data: data))
        case .stepDone: self = .stepDone(try StepDone(data: data))
        case .stepSkipped: self = .stepSkipped(try StepSkipped(data: data))
        case .stepReminded: self = .stepReminded(try StepReminded(data: data))
        case .caseTransitioned: self = .transitioned(try StateTransition(data: data))
        case .instructionAdded: self = .instructionAdded(try InstructionAdded(data: data))
        case .instructionDone: self = .instructionDone(try InstructionDone(data: data))
        case .appiUpdated: self = .appiUpdated(try FieldChanges(data: data))
        case .publicationDecided: self = .publicationDecided(try PublicationDecision(data: data))
        case .reportSubmitted: self = .reportSubmitted(try ReportSubmission(data: data))
        case .clockMissed: self = .clockMissed(try ClockMiss(data: data))
        case .caseOpened, .accessDenied, .spoolRejected, .statusReportSent, .ledgerAdded, .ledgerUpdated, .takeOutRequested,
            .takeOutApproved, .takeOutReturned, .disposalRequested, .disposalApproved, .disposalCompleted, .ledgerSubmitted,
            .requestWithdrawn:
            return nil
        }
    }
}

/// Why a stored event's data could not be read into its payload: what is missing or wrong.
public struct EventDataError: Error, Sendable, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}
