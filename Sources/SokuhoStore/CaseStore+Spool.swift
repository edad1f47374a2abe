import Foundation
import GRDB
import SokuhoCore

/// What the store decided about one spool file: the journal row written in the same transaction
/// as the case (accepted) or the `spool.rejected` event (rejected).
public struct SpoolRecord: Sendable, Hashable {
    public enum Outcome: String, Sendable {
        case accepted, rejected
    }

    public var name: String
    public var sha256: String
    public var outcome: Outcome
    /// The case opened from the file (accepted only).
    public var caseID: String?
    /// The `case.opened` or `spool.rejected` event.
    public var eventSeq: Int64
    public var at: String
    public var ownerUID: UInt32
    /// For a rejection: `{"code", "field", "message", "message_ja"}`.
    public var error: JSONValue?
}

extension CaseStore {
    /// Who dropped the files that became cases: case id → the file owner's uid, from the journal.
    /// (An accepted file is the daemon's own copy; this says whose report it was.)
    public func acceptedSpoolOwners() async throws(StoreError) -> [String: UInt32] {
        do {
            return try await pool.read { db in
                var out: [String: UInt32] = [:]
                for row in try Row.fetchAll(
                    db, sql: "SELECT case_id, owner_uid FROM spool_files WHERE outcome = 'accepted' AND case_id IS NOT NULL")
                {
                    let id: String = row["case_id"]
                    let uid: Int64 = row["owner_uid"]
                    out[id] = UInt32(truncatingIfNeeded: uid)
                }
                return out
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// The journal row for the file `name` with these bytes dropped by `ownerUID`, if it was ever
    /// decided. The journal is per owner: another user's file of the same name and bytes is
    /// another drop, decided on its own.
    public func spoolRecord(name: String, sha256: String, ownerUID: UInt32) async throws(StoreError) -> SpoolRecord? {
        do {
            return try await pool.read { db in try Self.spoolRecord(db, name: name, sha256: sha256, ownerUID: ownerUID) }
        } catch {
            throw Self.map(error)
        }
    }

    /// Records that a spool file cannot become a case: one `spool.rejected` event (no case) and
    /// the journal row, in one transaction. Idempotent: a file already in the journal returns its
    /// existing record and writes nothing.
    ///
    /// - Parameters:
    ///   - sha256: the hash of the bytes, or a stand-in for entries that are not read (unsafe or too large).
    ///   - details: the event data besides the error (file, size, owner, moved_to, …).
    public func recordSpoolRejection(
        name: String, sha256: String, error: ValidationError, details: [String: JSONValue],
        actor: EventActor, at date: Date
    ) async throws(StoreError) -> SpoolRecord {
        let at = Timestamp.format(date)
        let errorJSON: JSONValue = [
            "code": .string(error.code.rawValue), "field": .optional(error.field),
            "message": .string(error.message), "message_ja": .string(error.messageJa),
        ]
        do {
            return try await intake.write { db in
                if let known = try Self.spoolRecord(db, name: name, sha256: sha256, ownerUID: actor.peer.uid) { return known }
                var data = details
                data["file"] = .string(name)
                data["sha256"] = .string(sha256)
                for (k, v) in errorJSON.objectValue ?? [:] { data[k] = v }
                let e = try Self.append(
                    db, at: at, caseID: nil, type: EventType.spoolRejected.rawValue, actor: actor.json, data: .object(data))
                try Self.insertSpoolRecord(
                    db, name: name, sha256: sha256, outcome: .rejected, caseID: nil, eventSeq: e.seq,
                    at: at, ownerUID: actor.peer.uid, error: errorJSON)
                return SpoolRecord(
                    name: name, sha256: sha256, outcome: .rejected, caseID: nil, eventSeq: e.seq, at: at,
                    ownerUID: actor.peer.uid, error: errorJSON)
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Counts of journal rows by outcome.
    public func spoolCounts() async throws(StoreError) -> (accepted: Int, rejected: Int) {
        do {
            return try await pool.read { db in
                let a = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM spool_files WHERE outcome = 'accepted'") ?? 0
                let r = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM spool_files WHERE outcome = 'rejected'") ?? 0
                return (a, r)
            }
        } catch {
            throw Self.map(error)
        }
    }

    static func spoolRecord(_ db: Database, name: String, sha256: String, ownerUID: UInt32) throws -> SpoolRecord? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM spool_files WHERE owner_uid = ? AND name = ? AND sha256 = ?"),
                arguments: [Int64(ownerUID), name, sha256])
        else { return nil }
        let errorText: String? = row["error"]
        let outcome: String = row["outcome"]
        let uid: Int64 = row["owner_uid"]
        return SpoolRecord(
            name: row["name"], sha256: row["sha256"], outcome: SpoolRecord.Outcome(rawValue: outcome) ?? .rejected,
            caseID: row["case_id"], eventSeq: row["event_seq"], at: row["at"], ownerUID: UInt32(truncatingIfNeeded: uid),
            error: try errorText.map { try JSONParser.parse($0) })
    }

    static func insertSpoolRecord(
        _ db: Database, name: String, sha256: String, outcome: SpoolRecord.Outcome, caseID: String?,
        eventSeq: Int64, at: String, ownerUID: UInt32, error: JSONValue?
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO spool_files (name, sha256, outcome, case_id, event_seq, at, owner_uid, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner_uid, name, sha256) DO NOTHING
                """
        ).execute(arguments: [name, sha256, outcome.rawValue, caseID, eventSeq, at, Int64(ownerUID), error?.canonicalString])
    }
}
