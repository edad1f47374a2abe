import SokuhoCore

/// Closing refused: every unmet gate, in plain words (answered by `CaseDesk.gatesFailure`).
struct GatesUnmet: Error {
    let gates: [ClosureGates.Gate]
}
