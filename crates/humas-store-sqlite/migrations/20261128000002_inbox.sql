-- The inbox: messages with their analysis and workflow, full-text search, connector cursors,
-- notes, replies, saved replies, retention, routing rules, the holiday calendar and response
-- standards. Times are INTEGER microseconds since the Unix epoch (UTC); ids are 16-byte BLOBs.
-- Never edit this file once released: add a new migration (and its PostgreSQL twin).

-- `rid` is an explicit INTEGER PRIMARY KEY (a rowid alias) because the full-text index refers to
-- rows by rowid, and VACUUM may renumber an implicit rowid, which would break that link.
CREATE TABLE messages (
    rid                  INTEGER PRIMARY KEY,
    id                   BLOB NOT NULL,
    account_id           BLOB NOT NULL REFERENCES accounts (id),
    opd_id               BLOB NOT NULL REFERENCES opds (id),
    routed_by            BLOB,
    platform             TEXT NOT NULL,
    external_id          TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    author_handle        TEXT NOT NULL,
    -- The handle folded to lower case by Humas, for case-insensitive erasure requests.
    author_fold          TEXT NOT NULL,
    author_name          TEXT,
    body                 TEXT NOT NULL,
    title                TEXT,
    permalink            TEXT,
    parent_external_id   TEXT,
    thread_external_id   TEXT,
    published_us         INTEGER NOT NULL,
    author_key           TEXT NOT NULL,
    received_us          INTEGER NOT NULL,
    erased_us            INTEGER,
    sentiment            TEXT,
    sentiment_score      REAL NOT NULL,
    abusive              INTEGER NOT NULL,
    abusive_score        REAL NOT NULL,
    hate_speech          INTEGER NOT NULL,
    hate_score           REAL NOT NULL,
    hate_target          TEXT,
    hate_categories      INTEGER NOT NULL,
    hate_strength        TEXT,
    threat               INTEGER NOT NULL,
    pii                  INTEGER NOT NULL,
    -- u64 SimHash stored bit for bit as a signed 64-bit integer.
    fingerprint          INTEGER NOT NULL,
    search_terms         TEXT NOT NULL,
    status               TEXT NOT NULL,
    assignee             BLOB REFERENCES users (id),
    category             TEXT,
    suggested_category   TEXT,
    first_response_due_us INTEGER,
    resolution_due_us    INTEGER,
    first_response_at_us INTEGER,
    resolved_at_us       INTEGER,
    -- Workflow::next_due(), kept in step by every write of the workflow.
    next_due_us          INTEGER,
    CONSTRAINT messages_id_key UNIQUE (id),
    CONSTRAINT messages_platform_external_key UNIQUE (platform, external_id)
);

-- Every index costs time on each ingested message, so there are only those the inbox pages
-- need to stay fast over millions of messages; rarer work (an erasure request, the daily
-- retention run, compliance reports) scans a range instead.
-- Inbox pages: newest first, optionally within OPDs or an account; "my messages". The two
-- main ones carry next_due_us so that "overdue" pages, when many messages are overdue, are
-- found by walking the index newest first without reading the rows.
CREATE INDEX messages_published_idx ON messages (published_us, id, next_due_us);
CREATE INDEX messages_opd_published_idx ON messages (opd_id, published_us, id, next_due_us);
CREATE INDEX messages_account_published_idx ON messages (account_id, published_us, id);
CREATE INDEX messages_assignee_published_idx ON messages (assignee, published_us, id)
    WHERE assignee IS NOT NULL;
-- Rare flags get their own small indexes so a filtered page does not scan the whole inbox.
CREATE INDEX messages_hate_published_idx ON messages (published_us, id) WHERE hate_speech = 1;
CREATE INDEX messages_pii_published_idx ON messages (published_us, id) WHERE pii <> 0;
CREATE INDEX messages_abusive_published_idx ON messages (published_us, id) WHERE abusive = 1;
-- Overdue and due-soon: one range over the running deadlines only.
CREATE INDEX messages_next_due_idx ON messages (next_due_us) WHERE next_due_us IS NOT NULL;
-- Threads.
CREATE INDEX messages_thread_idx ON messages (platform, thread_external_id)
    WHERE thread_external_id IS NOT NULL;
-- Compliance periods (appended in time order, so cheap to keep).
CREATE INDEX messages_received_idx ON messages (received_us);

-- Search terms are already stems of [a-z0-9] separated by spaces, so the unicode61 tokenizer
-- splits them exactly as PostgreSQL's 'simple' configuration does. Only whole-token presence
-- is queried and nothing is ranked, hence detail=none and columnsize=0 (a smaller index that
-- is faster to write).
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    search_terms,
    content = 'messages',
    content_rowid = 'rid',
    detail = none,
    columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, search_terms) VALUES (new.rid, new.search_terms);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_terms)
        VALUES ('delete', old.rid, old.search_terms);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF search_terms ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_terms)
        VALUES ('delete', old.rid, old.search_terms);
    INSERT INTO messages_fts (rowid, search_terms) VALUES (new.rid, new.search_terms);
END;

CREATE TABLE ingest_cursors (
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    cursor_key TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (account_id, cursor_key)
);

CREATE TABLE message_notes (
    id          BLOB PRIMARY KEY NOT NULL,
    message_id  BLOB NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    author_id   BLOB NOT NULL REFERENCES users (id),
    author_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_us  INTEGER NOT NULL
);
CREATE INDEX message_notes_message_idx ON message_notes (message_id, created_us);

CREATE TABLE message_replies (
    id          BLOB PRIMARY KEY NOT NULL,
    message_id  BLOB NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    state       TEXT NOT NULL,
    drafted_by  BLOB NOT NULL REFERENCES users (id),
    approved_by BLOB REFERENCES users (id),
    external_id TEXT,
    error       TEXT,
    created_us  INTEGER NOT NULL,
    updated_us  INTEGER NOT NULL
);
CREATE INDEX message_replies_message_idx ON message_replies (message_id, created_us);

CREATE TABLE saved_replies (
    id     BLOB PRIMARY KEY NOT NULL,
    opd_id BLOB REFERENCES opds (id),
    title  TEXT NOT NULL,
    body   TEXT NOT NULL
);
CREATE INDEX saved_replies_opd_idx ON saved_replies (opd_id, title);

CREATE TABLE account_retention (
    account_id BLOB PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    days       INTEGER NOT NULL
);

CREATE TABLE routing_rules (
    id         BLOB PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    opd_id     BLOB NOT NULL REFERENCES opds (id),
    expression TEXT NOT NULL,
    priority   INTEGER NOT NULL,
    enabled    INTEGER NOT NULL
);

CREATE TABLE holidays (
    day  TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);

CREATE TABLE clock_policies (
    opd_id                   BLOB PRIMARY KEY NOT NULL REFERENCES opds (id),
    first_response_days      INTEGER NOT NULL,
    information_request_days INTEGER NOT NULL,
    complaint_days           INTEGER NOT NULL,
    dispute_days             INTEGER NOT NULL,
    field_check_days         INTEGER NOT NULL,
    working_days             INTEGER NOT NULL
);
