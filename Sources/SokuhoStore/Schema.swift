import GRDB

/// Versioned migrations. Never edit a shipped migration; add a new one.
/// The schema version is the number of migrations (`migrator.migrations.count`).
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY,
                        at TEXT NOT NULL,
                        case_id TEXT,
                        type TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        data TEXT NOT NULL,
                        prev_hash TEXT NOT NULL,
                        hash TEXT NOT NULL
                    );
                    CREATE INDEX events_by_case ON events(case_id, seq);
                    CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
                        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                    CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
                        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                    CREATE TABLE chain_head (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        seq INTEGER NOT NULL,
                        hash TEXT NOT NULL
                    );
                    CREATE TABLE cases (
                        id TEXT PRIMARY KEY,
                        year INTEGER NOT NULL,
                        number INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        state TEXT NOT NULL,
                        reporter_uid INTEGER NOT NULL,
                        reported_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        last_seq INTEGER NOT NULL,
                        body TEXT NOT NULL,
                        UNIQUE (year, number)
                    );
                    CREATE INDEX cases_by_reporter ON cases(reporter_uid, year, number);
                    CREATE TABLE report_ids (
                        report_id TEXT PRIMARY KEY,
                        case_id TEXT NOT NULL
                    );
                    """)
        }
        m.registerMigration("v2-outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY,
                        message_id TEXT NOT NULL UNIQUE,
                        endpoint TEXT NOT NULL,
                        case_id TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        event_seq INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        state TEXT NOT NULL DEFAULT 'pending',
                        attempts INTEGER NOT NULL DEFAULT 0,
                        created_at TEXT NOT NULL,
                        next_attempt_at REAL NOT NULL,
                        delivered_at TEXT,
                        last_status INTEGER,
                        last_error TEXT
                    );
                    CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                    CREATE INDEX outbox_by_case ON outbox(endpoint, case_id, sequence);
                    CREATE TABLE delivery_attempts (
                        id INTEGER PRIMARY KEY,
                        outbox_id INTEGER NOT NULL REFERENCES outbox(id),
                        at TEXT NOT NULL,
                        status INTEGER,
                        latency_ms INTEGER NOT NULL,
                        error TEXT
                    );
                    CREATE INDEX attempts_by_message ON delivery_attempts(outbox_id);
                    CREATE TABLE endpoint_state (
                        name TEXT PRIMARY KEY,
                        disabled_at TEXT,
                        reason TEXT
                    );
                    """)
        }
        m.registerMigration("v3-spool") { db in
            // The spool journal: one row per file taken from incoming/, keyed by its name and
            // SHA-256, written in the same transaction as the case or the rejection event. After a
            // crash between that commit and the file's move, the row says what was decided.
            try db.execute(
                sql: """
                    CREATE TABLE spool_files (
                        name TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
                        case_id TEXT,
                        event_seq INTEGER NOT NULL,
                        at TEXT NOT NULL,
                        owner_uid INTEGER NOT NULL,
                        error TEXT,
                        PRIMARY KEY (name, sha256)
                    );
                    """)
        }
        m.registerMigration("v4-playbooks") { db in
            // Each playbook version a case started with, by its hash: editing a file never
            // changes a running case, and the version can always be shown and verified.
            try db.execute(
                sql: """
                    CREATE TABLE playbooks (
                        hash TEXT PRIMARY KEY,
                        id TEXT NOT NULL,
                        body TEXT NOT NULL,
                        first_used_at TEXT NOT NULL
                    );
                    ALTER TABLE cases ADD COLUMN playbook_hash TEXT;
                    CREATE INDEX cases_with_playbook ON cases(playbook_hash) WHERE playbook_hash IS NOT NULL;
                    """)
        }
        m.registerMigration("v5-status-reports") { db in
            // Periodic handling-status reports sent to the city (Art. 16), one row per period.
            try db.execute(
                sql: """
                    CREATE TABLE status_reports (
                        period_end TEXT PRIMARY KEY,
                        period_start TEXT NOT NULL,
                        sent_at TEXT NOT NULL,
                        event_seq INTEGER NOT NULL
                    );
                    """)
        }
        m.registerMigration("v6-isolation") { db in
            // The installation id: generated once, when the database is created (or first
            // upgraded), and carried in every webhook-id and message, so two contractors' (or two
            // installations') messages never collide at the city.
            // Report ids become idempotency keys per reporter: (reporter_uid, report_id), and the
            // spool journal is per file owner: (owner_uid, name, sha256). One reporter can no
            // longer claim, read or silence another's report through a shared id or file.
            try db.execute(
                sql: """
                    CREATE TABLE installation (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        installation_id TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    INSERT INTO installation (id, installation_id, created_at)
                        VALUES (1, lower(hex(randomblob(8))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
                    CREATE TABLE report_ids_v6 (
                        reporter_uid INTEGER NOT NULL,
                        report_id TEXT NOT NULL,
                        case_id TEXT NOT NULL,
                        PRIMARY KEY (reporter_uid, report_id)
                    );
                    INSERT INTO report_ids_v6 (reporter_uid, report_id, case_id)
                        SELECT c.reporter_uid, r.report_id, r.case_id FROM report_ids r JOIN cases c ON c.id = r.case_id;
                    DROP TABLE report_ids;
                    ALTER TABLE report_ids_v6 RENAME TO report_ids;
                    CREATE TABLE spool_files_v6 (
                        name TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
                        case_id TEXT,
                        event_seq INTEGER NOT NULL,
                        at TEXT NOT NULL,
                        owner_uid INTEGER NOT NULL,
                        error TEXT,
                        PRIMARY KEY (owner_uid, name, sha256)
                    );
                    INSERT INTO spool_files_v6 SELECT name, sha256, outcome, case_id, event_seq, at, owner_uid, error FROM spool_files;
                    DROP TABLE spool_files;
                    ALTER TABLE spool_files_v6 RENAME TO spool_files;
                    """)
        }
        m.registerMigration("v7-ledger") { db in
            // The ledger of confidential information (Art. 10(3)): each entry as replayed from its
            // events (stored under its id in events.case_id), verified like a case row; and which
            // cases a report linked to which entries (an index, rebuilt from case.opened events).
            try db.execute(
                sql: """
                    CREATE TABLE ledger_entries (
                        id TEXT PRIMARY KEY,
                        number INTEGER NOT NULL UNIQUE,
                        state TEXT NOT NULL,
                        category TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        last_seq INTEGER NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE TABLE case_assets (
                        entry_id TEXT NOT NULL,
                        case_id TEXT NOT NULL,
                        PRIMARY KEY (entry_id, case_id)
                    );
                    """)
        }
        return m
    }
}
