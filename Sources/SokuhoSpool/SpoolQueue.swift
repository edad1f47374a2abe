/// The entries of `incoming/` waiting to be taken, and those being taken, by name.
///
/// Contract:
/// - an entry waits at most once, in the order it was first added (a scan adds oldest first);
/// - an entry is never given out while it is being taken: an entry added meanwhile (a new file
///   of the same name, say) waits until `done(_:)` and is then given out again;
/// - an entry named by an inotify event (`fromScan` false) is taken as it is, even when a scan
///   named it too: only entries named by scans alone wait until they settle.
///
/// Memory: one entry per name of `incoming/` at most (plus the names being taken).
struct SpoolQueue {
    struct Entry: Equatable {
        var name: [UInt8]
        var fromScan: Bool
    }

    private var order: [[UInt8]] = []
    private var head = 0
    /// Waiting entries: name → found by scans only.
    private var waiting: [[UInt8]: Bool] = [:]
    /// Entries being taken: name → added again meanwhile (and whether by scans only).
    private var taking: [[UInt8]: Bool?] = [:]

    /// How many entries wait.
    var count: Int { waiting.count }
    /// How many entries are being taken.
    var inProgress: Int { taking.count }

    /// Adds `name` unless it waits already (then only an event's "take as it is" is kept).
    mutating func add(_ name: [UInt8], fromScan: Bool) {
        if let again = taking[name] {
            taking[name] = .some((again ?? true) && fromScan)
            return
        }
        if let scanOnly = waiting[name] {
            waiting[name] = scanOnly && fromScan
            return
        }
        waiting[name] = fromScan
        order.append(name)
    }

    /// The next entry to take, now counted as being taken; nil when none waits.
    mutating func next() -> Entry? {
        while head < order.count {
            let name = order[head]
            head += 1
            if head >= 64, head * 2 >= order.count {  // drop what was given out, now and then
                order.removeFirst(head)
                head = 0
            }
            if let fromScan = waiting.removeValue(forKey: name) {
                taking[name] = .some(nil)
                return Entry(name: name, fromScan: fromScan)
            }
        }
        return nil
    }

    /// Ends the taking of `name`; it waits again when it was added meanwhile.
    mutating func done(_ name: [UInt8]) {
        guard let again = taking.removeValue(forKey: name) else { return }
        if let fromScan = again { add(name, fromScan: fromScan) }
    }
}
