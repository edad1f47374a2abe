/// Bounds how many refusals one user can write into the append-only record.
///
/// Each user (uid) has a bucket of `burst` records that refills at one per `refill` seconds. A
/// refusal with a token left is recorded as an `access.denied` event, carrying how many were
/// refused without being recorded since the last one (`suppressed`); a refusal without a token is
/// still refused and counted, but not recorded. The table holds at most `maxUsers` users (the
/// fullest buckets are forgotten first: they carry no state worth keeping). Pure: time is passed in.
public struct RefusalLimiter: Sendable {
    public struct Bucket: Sendable {
        var tokens: Double
        var updated: Double
        var suppressed: Int
    }

    public let burst: Double
    public let refill: Double
    public let maxUsers: Int
    private var buckets: [UInt32: Bucket] = [:]

    public init(burst: Int = 20, refillSeconds: Double = 3, maxUsers: Int = 4096) {
        self.burst = Double(burst)
        self.refill = refillSeconds
        self.maxUsers = maxUsers
    }

    /// How many users the table holds now (at most `maxUsers`).
    public var users: Int { buckets.count }

    /// Whether a refusal of `uid` at `now` (seconds) is recorded; when it is, `suppressed` is the
    /// number of refusals not recorded since the previous recorded one.
    public mutating func admit(uid: UInt32, now: Double) -> (record: Bool, suppressed: Int) {
        var b = buckets[uid] ?? Bucket(tokens: burst, updated: now, suppressed: 0)
        if now > b.updated {
            b.tokens = min(burst, b.tokens + (now - b.updated) / refill)
            b.updated = now
        }
        let result: (Bool, Int)
        if b.tokens >= 1 {
            b.tokens -= 1
            result = (true, b.suppressed)
            b.suppressed = 0
        } else {
            b.suppressed += 1
            result = (false, b.suppressed)
        }
        if buckets[uid] == nil && buckets.count >= maxUsers {
            // Forget the users whose buckets are full and who have nothing suppressed.
            buckets = buckets.filter { $0.value.suppressed > 0 || $0.value.tokens + (now - $0.value.updated) / refill < burst }
            if buckets.count >= maxUsers { buckets.removeAll(keepingCapacity: true) }
        }
        buckets[uid] = b
        return result
    }
}
