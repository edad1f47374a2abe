import SokuhoCore

/// What the control server calls for each request line that parsed as JSON.
///
/// Implementations must always return a response object (never throw): every request gets
/// exactly one response line.
public protocol ControlRequestHandler: Sendable {
    func handle(_ request: JSONValue, from peer: PeerIdentity) async -> JSONValue
}
