import Foundation
import GRDB
import SokuhoCore

/// Reads a case database read-only, without the daemon, and verifies its audit chain.
public struct AuditReader: Sendable {
    /// The outcome of a verification.
    public struct Outcome: Sendable {
        public var eventsChecked: Int64
        public var casesChecked: Int
        public var headHash: String
        /// The first problem; `nil` when the chain and every case verify.
        public var problem: AuditChain.Problem?
        public var seconds: Double

        public var json: JSONValue {
            var o: JSONValue = [
                "ok": .bool(problem == nil), "events": .int(eventsChecked), "cases": .int(Int64(casesChecked)),
                "head_hash": .string(headHash), "seconds": .double(seconds),
            ]
            if case .object(var d) = o, let p = problem {
                d["problem"] = ["kind": .string(p.kind.rawValue), "seq": .int(p.seq), "message": .string(p.message)]
                o = .object(d)
            }
            return o
        }
    }

    let queue: DatabaseQueue

    /// Opens `path` read-only. Fails when the file does not exist.
    public init(path: String) throws(StoreError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "no such file")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") }
        } catch {
            throw CaseStore.openError(error, path: path)
        }
    }

    /// Re-computes the whole chain, then checks that each derived case matches its events.
    public func verify(clock: any SokuhoCore.Clock = SystemClock()) throws(StoreError) -> Outcome {
        let start = clock.now()
        do {
            return try queue.read { db in
                var verifier = AuditChain.Verifier()
                // Collected during the single pass over the chain, to check each case afterwards.
                var byCase: [String: [StoredEvent]] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM events ORDER BY seq")
                while let row = try rows.next() {
                    let event: StoredEvent
                    do { event = try CaseStore.decodeEvent(row) } catch {
                        let seq: Int64 = row["seq"]
                        return Outcome(eventsChecked: verifier.count, casesChecked: 0, headHash: "",
                            problem: .init(kind: .unreadable, seq: seq, message: "event #\(seq) cannot be read: \(error)"),
                            seconds: clock.now().timeIntervalSince(start))
                    }
                    if !verifier.feed(event) { break }
                    if let id = event.caseID { byCase[id, default: []].append(event) }
                }
                if verifier.problem == nil {
                    let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM chain_head WHERE id = 1")
                    verifier.finish(recordedHead: head.map { ($0["seq"], $0["hash"]) })
                }
                var casesChecked = 0
                var problem = verifier.problem
                if problem == nil {
                    let caseRows = try Row.fetchCursor(db, sql: "SELECT id, body FROM cases ORDER BY id")
                    while let row = try caseRows.next() {
                        let id: String = row["id"]
                        let body: String = row["body"]
                        let events = byCase[id] ?? []
                        let replayed = try? Case.replay(events)
                        if replayed?.json.canonicalString != body {
                            problem = .init(kind: .edited, seq: events.last?.seq ?? 0,
                                message: "case \(id): the stored case does not match the case replayed from its events (the cases table was edited)")
                            break
                        }
                        casesChecked += 1
                    }
                }
                return Outcome(eventsChecked: verifier.count, casesChecked: casesChecked,
                    headHash: verifier.last?.hash ?? AuditChain.genesisHash, problem: problem,
                    seconds: clock.now().timeIntervalSince(start))
            }
        } catch {
            throw CaseStore.map(error)
        }
    }
}
