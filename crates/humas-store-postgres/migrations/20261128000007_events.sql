-- The event outbox (deadline warnings now, more kinds later) that integrations read with a
-- cursor, and the bookkeeping of the sweep that raises deadline warnings.
-- Never edit this file once released: add a new migration (and its SQLite twin).

-- Append-only. `id` is the readers' cursor. Appends take a transaction-scoped advisory lock
-- before inserting, so ids are handed out and committed in the same order and a reader never
-- sees id 12 before id 11 commits. `event_key` makes a warning for one deadline (kind,
-- message, which deadline, its due time) exist once, however many processes sweep at once. No
-- foreign key to the message: events outlive erased ones (they carry no personal data).
CREATE TABLE events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_key   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject_id  UUID NOT NULL,
    opd_id      UUID NOT NULL REFERENCES opds (id),
    deadline    TEXT,
    due_us      BIGINT,
    assignee    UUID,
    created_us  BIGINT NOT NULL,
    payload     TEXT NOT NULL,
    CONSTRAINT events_key UNIQUE (event_key)
);
-- Readers who see some OPDs only.
CREATE INDEX events_opd_idx ON events (opd_id, id);

-- How far sweeps have judged deadlines (one row per sweep name).
CREATE TABLE event_sweeps (
    name        TEXT PRIMARY KEY,
    swept_us    BIGINT NOT NULL
);

-- Messages whose next deadline changed after they were stored (category changed, reopened,
-- answered): the sweep judges them again, since their new deadline may already be near or
-- past. Filled by the trigger below, so no write path can forget it; ingest (INSERT) is not
-- touched, a new message's deadlines lie days ahead.
CREATE TABLE deadline_changes (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  UUID NOT NULL
);

CREATE FUNCTION messages_next_due_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deadline_changes (message_id) VALUES (NEW.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER messages_next_due_changed AFTER UPDATE OF next_due_us ON messages
FOR EACH ROW WHEN (OLD.next_due_us IS DISTINCT FROM NEW.next_due_us)
EXECUTE FUNCTION messages_next_due_changed();
