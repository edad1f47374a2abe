/// The lifecycle state of a case.
///
/// This issue opens cases; the transitions to `contained`, `resolved` and `closed` arrive with the
/// lifecycle work. Every transition will be an event, applied in `Case+Events.swift` only.
public enum CaseState: String, Sendable, CaseIterable, Codable {
    case open
}
