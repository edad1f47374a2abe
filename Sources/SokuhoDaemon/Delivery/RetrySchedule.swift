/// When to try a failed message again.
///
/// The default follows Standard Webhooks: after the first attempt, 5 s, 5 min, 30 min, 2 h, 5 h,
/// 10 h, 14 h, 20 h and 24 h, each with ±10 % jitter; then the message is dead-lettered.
public struct RetrySchedule: Sendable, Equatable {
    public var delays: [Double]

    public static let standard = RetrySchedule(delays: [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400])

    public init(delays: [Double]) { self.delays = delays }

    /// The delay before attempt `attempt + 1` after `attempt` failed attempts (1-based), or nil
    /// when the schedule is exhausted. `retryAfter` from the server wins when longer (capped at 24 h).
    public func delay(afterAttempt attempt: Int, retryAfter: Double?, jitter: Double) -> Double? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        let base = delays[attempt - 1] * (1 + jitter)
        if let retryAfter { return max(base, min(retryAfter, 86400)) }
        return base
    }
}
