import Foundation
import GRDB
import SokuhoCore

extension CaseStore {
    /// How one change to a subject whose history is its events (a case, a ledger entry) is made
    /// in one write transaction. `mutateSubject` reads the events (`notFound` when there are
    /// none), replays them, asks `decide`, appends each change's event to the chain and lets
    /// `apply` apply it and queue its messages, then `save`s the subject's row once.
    struct SubjectChange<Subject: Sendable, Change: Sendable>: Sendable {
        /// The subject from its events.
        var replay: @Sendable ([StoredEvent]) throws -> Subject
        /// The event a change appends: its type and data.
        var event: @Sendable (Change) -> (type: String, data: JSONValue)
        /// Applies the appended event to the subject and queues what it sends.
        var apply: @Sendable (inout Subject, Change, StoredEvent, Database) throws -> Void
        /// Writes the subject's row after the last event (`lastSeq`).
        var save: @Sendable (Subject, _ lastSeq: Int64, Database) throws -> Void
    }

    /// Runs `decide` on subject `id` and records what it returns (see `SubjectChange`). Deciding
    /// inside the write transaction makes checks such as "this step is not done yet" or "one
    /// application at a time" race-free.
    func mutateSubject<Subject: Sendable, Change: Sendable>(
        id: String, actor: EventActor, at: String, _ how: SubjectChange<Subject, Change>,
        decide: @escaping @Sendable (Subject) throws -> [Change]
    ) async throws(StoreError) -> (Subject, [Receipt]) {
        do {
            return try await intake.write { db in
                let events = try Self.events(db, caseID: id)
                if events.isEmpty { throw StoreError.notFound(id: id) }
                var subject = try how.replay(events)
                var receipts: [Receipt] = []
                for change in try decide(subject) {
                    let (type, data) = how.event(change)
                    let e = try Self.append(db, at: at, caseID: id, type: type, actor: actor.json, data: data)
                    try how.apply(&subject, change, e, db)
                    receipts.append(Receipt(caseID: id, seq: e.seq, hash: e.hash, at: at))
                }
                if let last = receipts.last { try how.save(subject, last.seq, db) }
                return (subject, receipts)
            }
        } catch {
            throw Self.map(error)
        }
    }
}
