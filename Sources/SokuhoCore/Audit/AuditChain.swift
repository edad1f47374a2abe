import Crypto

/// The tamper-evident hash chain over all events.
///
/// Each event's hash is `SHA-256(canonical bytes)` in lower-case hex, where the canonical bytes
/// are the canonical JSON (see `JSONValue+Canonical.swift`) of the object
/// `{"actor", "at", "case_id", "data", "prev_hash", "seq", "type"}`. `prev_hash` is the previous
/// event's hash (64 zeros for the first), so changing, removing, inserting or reordering any
/// event breaks every link after it.
public enum AuditChain {
    public static let genesisHash = String(repeating: "0", count: 64)

    public static func hash(of event: StoredEvent) -> String {
        Hex.encode(SHA256.hash(data: event.canonicalBytes))
    }

    /// Lower-case hex of a digest; kept for callers of the old name.
    @available(*, deprecated, renamed: "Hex.encode")
    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        Hex.encode(digest)
    }

    /// What is wrong with the chain, naming the first event at fault.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// The event's content does not match its hash: it was edited.
            case edited
            /// Sequence numbers are missing before this event: events were deleted.
            case missing
            /// The event does not link to the one before it: something before it was removed,
            /// inserted, rewritten or reordered.
            case brokenLink = "broken_link"
            /// The recorded chain head does not match the last event: events were deleted or appended at the end.
            case headMismatch = "head_mismatch"
            /// The event's data cannot be read at all.
            case unreadable
        }

        public var kind: Kind
        /// The sequence number of the event named.
        public var seq: Int64
        public var message: String

        public var description: String { message }

        public init(kind: Kind, seq: Int64, message: String) { (self.kind, self.seq, self.message) = (kind, seq, message) }
    }

    /// Verifies events fed one at a time in stored order, oldest first. Stops at the first problem.
    public struct Verifier: Sendable {
        public private(set) var count: Int64 = 0
        public private(set) var last: (seq: Int64, hash: String)?
        public private(set) var problem: Problem?

        public init() {}

        /// Feeds the next event; returns `false` once a problem was found.
        @discardableResult
        public mutating func feed(_ e: StoredEvent) -> Bool {
            guard problem == nil else { return false }
            let expectedSeq = (last?.seq ?? 0) + 1
            if e.seq != expectedSeq {
                let range = e.seq - expectedSeq == 1 ? "#\(expectedSeq)" : "#\(expectedSeq)–#\(e.seq - 1)"
                problem = Problem(
                    kind: .missing, seq: expectedSeq,
                    message: "event \(range) is missing: event #\(e.seq) follows event #\(expectedSeq - 1) (deleted or renumbered)")
                return false
            }
            let expectedPrev = last?.hash ?? AuditChain.genesisHash
            let recomputed = AuditChain.hash(of: e)
            if recomputed != e.hash {
                problem = Problem(
                    kind: .edited, seq: e.seq,
                    message:
                        "event #\(e.seq) (\(e.type)\(e.caseID.map { ", " + $0 } ?? "")) was altered: its content does not match its recorded hash"
                )
                return false
            }
            if e.prevHash != expectedPrev {
                problem = Problem(
                    kind: .brokenLink, seq: e.seq,
                    message:
                        "event #\(e.seq) (\(e.type)) does not link to event #\(expectedSeq - 1): an event was inserted, rewritten or reordered at #\(e.seq - 1)/#\(e.seq)"
                )
                return false
            }
            last = (e.seq, e.hash)
            count += 1
            return true
        }

        mutating func fail(_ kind: Problem.Kind, _ seq: Int64, _ message: String) {
            problem = Problem(kind: kind, seq: seq, message: message)
        }

        mutating func accept(seq: Int64, hash: String) {
            last = (seq, hash)
            count += 1
        }

        /// Compares the end of the chain with the separately recorded head.
        public mutating func finish(recordedHead: (seq: Int64, hash: String)?) {
            guard problem == nil else { return }
            let lastSeq = last?.seq ?? 0
            guard let head = recordedHead else {
                if lastSeq != 0 {
                    problem = Problem(
                        kind: .headMismatch, seq: lastSeq, message: "the chain head record is missing (events exist up to #\(lastSeq))")
                }
                return
            }
            if head.seq != lastSeq || head.hash != (last?.hash ?? AuditChain.genesisHash) {
                if head.seq > lastSeq {
                    problem = Problem(
                        kind: .headMismatch, seq: lastSeq + 1,
                        message:
                            "event #\(lastSeq + 1) is missing: the chain head says #\(head.seq) but the last event is #\(lastSeq) (deleted at the end)"
                    )
                } else {
                    problem = Problem(
                        kind: .headMismatch, seq: head.seq + (head.seq < lastSeq ? 1 : 0),
                        message:
                            "event #\(head.seq < lastSeq ? head.seq + 1 : lastSeq) does not match the chain head (#\(head.seq)): events were appended or rewritten at the end"
                    )
                }
            }
        }
    }
}
