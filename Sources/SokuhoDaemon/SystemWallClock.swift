import Foundation
import SokuhoCore

/// The system's wall clock: the one place the daemon reads the current time. Every component
/// gets it (or a test's clock) injected as `any WallClock`.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
