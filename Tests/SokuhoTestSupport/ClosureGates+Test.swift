import SokuhoCore

/// The closure gates a refused `case.transition` to `closed` names (`error.gates[].gate`): a
/// test that an instruction blocks closure must see the `instructions` gate, not just any refusal.
public func closureGates(_ answer: JSONValue) -> [String] {
    (answer["error"]?["gates"]?.arrayValue ?? []).compactMap { $0["gate"]?.stringValue }
}
