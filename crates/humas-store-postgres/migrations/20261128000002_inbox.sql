-- The inbox (PostgreSQL): messages with their analysis and workflow, ingest cursors, notes,
-- replies, saved replies, retention settings, routing rules, holidays and response standards.
-- Same conventions as the initial migration: times are BIGINT microseconds (UTC), civil dates
-- TEXT YYYY-MM-DD, constraint names explicit (error.rs maps them). Never edit once released.

CREATE TABLE messages (
    id                   uuid     NOT NULL,
    account_id           uuid     NOT NULL,
    opd_id               uuid     NOT NULL,
    -- No foreign key: a deleted rule still explains past routing.
    routed_by            uuid,
    -- Identifiers and states compare bytewise ("C"): cheaper in every index than the
    -- database's collation, and they are never sorted for people.
    platform             text     COLLATE "C" NOT NULL,
    external_id          text     COLLATE "C" NOT NULL,
    kind                 text     NOT NULL,
    -- Blanked ('' / NULL) by retention erasure, together with the texts below.
    author_handle        text     NOT NULL,
    author_name          text,
    body                 text     NOT NULL,
    title                text,
    permalink            text,
    parent_external_id   text,
    thread_external_id   text     COLLATE "C",
    published_at_us      bigint   NOT NULL,
    author_key           text     NOT NULL,
    received_at_us       bigint   NOT NULL,
    erased_at_us         bigint,
    sentiment            text,
    sentiment_score      real     NOT NULL,
    abusive              boolean  NOT NULL,
    abusive_score        real     NOT NULL,
    hate_speech          boolean  NOT NULL,
    hate_score           real     NOT NULL,
    hate_target          text,
    hate_categories      smallint NOT NULL,
    hate_strength        text,
    threat               boolean  NOT NULL,
    pii                  smallint NOT NULL,
    -- The u64 SimHash, bit-cast to i64.
    fingerprint          bigint   NOT NULL,
    -- Stems of [a-z0-9] separated by spaces. Each becomes one lexeme, as each is one token
    -- for SQLite FTS5: splitting on spaces gives exactly the tokens a text-search parser would
    -- find in such input, at a fraction of the cost (the parser was an eighth of an ingest),
    -- and without positions, which no query uses.
    search_terms         text     NOT NULL,
    search_tsv           tsvector GENERATED ALWAYS AS
        (array_to_tsvector(array_remove(string_to_array(lower(search_terms), ' '), ''))) STORED,
    status               text     COLLATE "C" NOT NULL,
    -- No foreign key: the store's contract names no user reference for workflows.
    assignee_id          uuid,
    category             text,
    suggested_category   text,
    first_response_due_us bigint,
    resolution_due_us    bigint,
    first_response_at_us bigint,
    resolved_at_us       bigint,
    -- Workflow::next_due(), written by the store on every insert and workflow update, so
    -- "overdue" and "due soon" are one indexed comparison.
    next_due_us          bigint,
    CONSTRAINT messages_pkey PRIMARY KEY (id),
    CONSTRAINT messages_platform_external_key UNIQUE (platform, external_id),
    CONSTRAINT messages_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT messages_opd_fkey FOREIGN KEY (opd_id) REFERENCES opds (id)
);
-- The inbox order, with and without the usual scoping filters in front.
CREATE INDEX messages_published_idx ON messages (published_at_us DESC, id DESC);
CREATE INDEX messages_opd_published_idx ON messages (opd_id, published_at_us DESC, id DESC);
CREATE INDEX messages_account_published_idx
    ON messages (account_id, published_at_us DESC, id DESC);
CREATE INDEX messages_assignee_published_idx
    ON messages (assignee_id, published_at_us DESC, id DESC);
-- Rare flags: a page of them must not walk the whole inbox.
CREATE INDEX messages_hate_published_idx
    ON messages (published_at_us DESC, id DESC) WHERE hate_speech;
CREATE INDEX messages_abusive_published_idx
    ON messages (published_at_us DESC, id DESC) WHERE abusive;
CREATE INDEX messages_pii_published_idx
    ON messages (published_at_us DESC, id DESC) WHERE pii <> 0;
CREATE INDEX messages_next_due_idx ON messages (next_due_us) WHERE next_due_us IS NOT NULL;
CREATE INDEX messages_search_idx ON messages USING gin (search_tsv);
-- Messages arrive roughly in publication order, so a BRIN index narrows a search to a recent
-- period for almost nothing, on ingest and on disk (see message_query.rs).
CREATE INDEX messages_published_brin ON messages USING brin (published_at_us);
CREATE INDEX messages_thread_idx ON messages (platform, thread_external_id);
-- No index for erasure requests (by author) or retention runs (by received time): both are
-- rare background work that can afford a scan, while every index costs each ingested message.

CREATE TABLE ingest_cursors (
    account_id uuid NOT NULL,
    key        text NOT NULL,
    value      text NOT NULL,
    CONSTRAINT ingest_cursors_pkey PRIMARY KEY (account_id, key),
    CONSTRAINT ingest_cursors_account_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE
);

-- author_id has no foreign key: the note keeps the author's name as it was.
CREATE TABLE message_notes (
    id            uuid   NOT NULL,
    message_id    uuid   NOT NULL,
    author_id     uuid   NOT NULL,
    author_name   text   NOT NULL,
    body          text   NOT NULL,
    created_at_us bigint NOT NULL,
    CONSTRAINT message_notes_pkey PRIMARY KEY (id),
    CONSTRAINT message_notes_message_fkey FOREIGN KEY (message_id)
        REFERENCES messages (id) ON DELETE CASCADE
);
CREATE INDEX message_notes_message_idx ON message_notes (message_id, created_at_us);

CREATE TABLE message_replies (
    id            uuid   NOT NULL,
    message_id    uuid   NOT NULL,
    body          text   NOT NULL,
    state         text   NOT NULL,
    drafted_by    uuid   NOT NULL,
    approved_by   uuid,
    external_id   text,
    error         text,
    created_at_us bigint NOT NULL,
    updated_at_us bigint NOT NULL,
    CONSTRAINT message_replies_pkey PRIMARY KEY (id),
    CONSTRAINT message_replies_message_fkey FOREIGN KEY (message_id)
        REFERENCES messages (id) ON DELETE CASCADE
);
CREATE INDEX message_replies_message_idx ON message_replies (message_id, created_at_us);

CREATE TABLE saved_replies (
    id     uuid NOT NULL,
    opd_id uuid,
    title  text NOT NULL,
    body   text NOT NULL,
    CONSTRAINT saved_replies_pkey PRIMARY KEY (id),
    CONSTRAINT saved_replies_opd_fkey FOREIGN KEY (opd_id) REFERENCES opds (id)
);
CREATE INDEX saved_replies_opd_idx ON saved_replies (opd_id);

CREATE TABLE account_retention (
    account_id uuid    NOT NULL,
    days       integer NOT NULL,
    CONSTRAINT account_retention_pkey PRIMARY KEY (account_id),
    CONSTRAINT account_retention_account_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE
);

CREATE TABLE routing_rules (
    id         uuid    NOT NULL,
    name       text    NOT NULL,
    opd_id     uuid    NOT NULL,
    expression text    NOT NULL,
    priority   integer NOT NULL,
    enabled    boolean NOT NULL,
    CONSTRAINT routing_rules_pkey PRIMARY KEY (id),
    CONSTRAINT routing_rules_opd_fkey FOREIGN KEY (opd_id) REFERENCES opds (id)
);

CREATE TABLE holidays (
    day  text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    CONSTRAINT holidays_pkey PRIMARY KEY (day)
);

CREATE TABLE clock_policies (
    opd_id                   uuid    NOT NULL,
    first_response_days      integer NOT NULL,
    information_request_days integer NOT NULL,
    complaint_days           integer NOT NULL,
    dispute_days             integer NOT NULL,
    field_check_days         integer NOT NULL,
    working_days             boolean NOT NULL,
    CONSTRAINT clock_policies_pkey PRIMARY KEY (opd_id),
    CONSTRAINT clock_policies_opd_fkey FOREIGN KEY (opd_id)
        REFERENCES opds (id) ON DELETE CASCADE
);
