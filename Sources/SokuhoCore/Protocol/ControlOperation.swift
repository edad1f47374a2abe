/// The operations of the control protocol: the one place each op is declared, with the members it
/// takes and who may use it. The dispatch, the permission check, the op list in error messages and
/// the permission-matrix test all derive from this table. A contract: add, never rename.
public enum ControlOperation: String, CaseIterable, Sendable {
    case report
    case caseGet = "case.get"
    case caseList = "case.list"
    case caseUpdate = "case.update"
    case status
    case outboxList = "outbox.list"
    case outboxRetry = "outbox.retry"
    case spoolList = "spool.list"
    case caseSteps = "case.steps"
    case stepDone = "step.done"
    case stepSkip = "step.skip"
    case playbookList = "playbook.list"
    case caseTransition = "case.transition"
    case caseGates = "case.gates"
    case instructionAdd = "instruction.add"
    case instructionDone = "instruction.done"
    case casePublication = "case.publication"
    case caseSubmit = "case.submit"
    case caseReport = "case.report"
    case statusReport = "status.report"
    // The ledger of confidential information (docs/ledger.md).
    case ledgerAdd = "ledger.add"
    case ledgerList = "ledger.list"
    case ledgerGet = "ledger.get"
    case ledgerUpdate = "ledger.update"
    case ledgerSubmit = "ledger.submit"
    case ledgerTakeOut = "ledger.takeout"
    case ledgerApprove = "ledger.approve"
    case ledgerReturn = "ledger.return"
    case ledgerWithdraw = "ledger.withdraw"
    case disposalApply = "disposal.apply"
    case disposalDone = "disposal.done"

    /// Who may use an op. Ranks: reporter < auditor < lead < admin; admins may do everything.
    public enum Access: Sendable, Equatable {
        /// Anyone who can reach the socket; a peer without a role learns only who they are.
        case anyone
        /// Any role.
        case anyRole
        /// Reporters, leads and admins (auditors read, they do not report).
        case reporters
        /// Auditors, leads and admins see everything; a reporter sees only what they reported
        /// (anything else answers `not_found`, as if it did not exist).
        case readers
        /// Auditors, leads and admins.
        case overseers
        /// Leads and admins.
        case leads
    }

    /// The members the op accepts besides `op`.
    public var members: [String] {
        switch self {
        case .report: ["report"]
        case .caseGet, .caseSteps, .caseGates, .caseReport: ["id"]
        case .caseList: ["kind", "state", "limit", "mine"]
        case .caseUpdate: ["id", "fields"]
        case .status, .playbookList: []
        case .outboxList: ["case_id", "state", "limit"]
        case .outboxRetry: ["message_id", "endpoint"]
        case .spoolList: ["states", "limit"]
        case .stepDone: ["id", "step", "note"]
        case .stepSkip: ["id", "step", "reason"]
        case .caseTransition: ["id", "to", "reason", "resolution"]
        case .instructionAdd: ["id", "text", "from", "issued_at"]
        case .instructionDone: ["id", "instruction", "response"]
        case .casePublication: ["id", "decision", "date", "url", "note"]
        case .caseSubmit: ["id", "report"]
        case .statusReport: ["from", "to"]
        case .ledgerAdd: ["entry"]
        case .ledgerList: ["state", "category", "limit"]
        case .ledgerGet: ["id"]
        case .ledgerSubmit: []
        case .ledgerUpdate: ["id", "fields"]
        case .ledgerTakeOut: ["id", "purpose", "until", "encrypted"]
        case .ledgerApprove: ["request", "approved_at", "by", "approval_id"]
        case .ledgerReturn: ["request", "note"]
        case .ledgerWithdraw: ["request", "reason"]
        case .disposalApply: ["id", "method", "medium", "quantity", "planned"]
        case .disposalDone: ["request", "at", "by", "witness"]
        }
    }

    /// Who may use the op (the role table of `docs/protocol.md`).
    public var access: Access {
        switch self {
        case .status: .anyone
        case .playbookList: .anyRole
        case .report: .reporters
        case .caseGet, .caseList, .caseSteps, .caseGates, .caseReport, .spoolList: .readers
        case .outboxList, .statusReport, .ledgerList, .ledgerGet: .overseers
        case .caseUpdate, .outboxRetry, .stepDone, .stepSkip, .caseTransition, .instructionAdd, .instructionDone,
            .casePublication, .caseSubmit, .ledgerAdd, .ledgerUpdate, .ledgerSubmit, .ledgerTakeOut, .ledgerApprove, .ledgerReturn,
            .ledgerWithdraw, .disposalApply, .disposalDone:
            .leads
        }
    }

    /// What a refusal says is missing. Exhaustive, so a new op must say who it needs.
    var refusal: String {
        switch self {
        case .report: "reporting needs the reporter, lead or admin role"
        case .playbookList: "listing playbooks needs a role"
        case .statusReport: "the status report needs the auditor, lead or admin role"
        case .spoolList: "reading the spool needs the reporter, auditor, lead or admin role"
        case .outboxList: "reading the outbox needs the auditor, lead or admin role"
        case .caseGet, .caseList, .caseSteps, .caseGates, .caseReport: "reading cases needs the reporter, auditor, lead or admin role"
        case .caseUpdate: "updating a case needs the lead role"
        case .outboxRetry: "retrying deliveries needs the lead role"
        case .stepDone, .stepSkip: "completing or skipping playbook steps needs the lead role"
        case .status: "status needs no role"
        case .caseTransition, .instructionAdd, .instructionDone, .casePublication, .caseSubmit: "\(rawValue) needs the lead role"
        case .ledgerList, .ledgerGet: "reading the ledger needs the auditor, lead or admin role"
        case .ledgerAdd, .ledgerUpdate, .ledgerSubmit, .ledgerTakeOut, .ledgerApprove, .ledgerReturn, .ledgerWithdraw, .disposalApply,
            .disposalDone:
            "changing the ledger needs the lead role"
        }
    }

    /// Every op name, in declaration order.
    public static var names: [String] { allCases.map(\.rawValue) }
}
