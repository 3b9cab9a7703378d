-- The event outbox (deadline warnings now, more kinds later) that integrations read with a
-- cursor, and the bookkeeping of the sweep that raises deadline warnings.
-- Never edit this file once released: add a new migration (and its PostgreSQL twin).

-- Append-only. `id` is the readers' cursor: AUTOINCREMENT so an id is never reused, and
-- SQLite's single writer makes ids visible in increasing order. `event_key` makes a warning
-- for one deadline (kind, message, which deadline, its due time) exist once, however many
-- processes sweep at the same time. No foreign key to the message: events outlive erased ones
-- (they carry no personal data).
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_key   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject_id  BLOB NOT NULL,
    opd_id      BLOB NOT NULL REFERENCES opds (id),
    deadline    TEXT,
    due_us      INTEGER,
    assignee    BLOB,
    created_us  INTEGER NOT NULL,
    payload     TEXT NOT NULL,
    CONSTRAINT events_key UNIQUE (event_key)
);
-- Readers who see some OPDs only.
CREATE INDEX events_opd_idx ON events (opd_id, id);

-- How far sweeps have judged deadlines (one row per sweep name).
CREATE TABLE event_sweeps (
    name        TEXT PRIMARY KEY NOT NULL,
    swept_us    INTEGER NOT NULL
);

-- Messages whose next deadline changed after they were stored (category changed, reopened,
-- answered): the sweep judges them again, since their new deadline may already be near or
-- past. Filled by the trigger below, so no write path can forget it; ingest (INSERT) is not
-- touched, a new message's deadlines lie days ahead.
CREATE TABLE deadline_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id  BLOB NOT NULL
);

CREATE TRIGGER messages_next_due_changed AFTER UPDATE OF next_due_us ON messages
WHEN old.next_due_us IS NOT new.next_due_us
BEGIN
    INSERT INTO deadline_changes (message_id) VALUES (new.id);
END;
