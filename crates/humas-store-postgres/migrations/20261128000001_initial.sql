-- Organisation, people, sessions, tokens and the audit log (PostgreSQL).
-- Times are BIGINT microseconds since the Unix epoch (UTC); civil dates are TEXT YYYY-MM-DD.
-- Constraint names are explicit: the store maps them to StoreError::Conflict and
-- StoreError::UnknownReference, so renaming one is a code change too.
-- Never edit this file once released: add a new migration (and its SQLite twin).

CREATE TABLE opds (
    id        uuid NOT NULL,
    slug      text NOT NULL,
    name      text NOT NULL,
    kind      text NOT NULL,
    parent_id uuid,
    CONSTRAINT opds_pkey PRIMARY KEY (id),
    CONSTRAINT opds_slug_key UNIQUE (slug),
    CONSTRAINT opds_parent_fkey FOREIGN KEY (parent_id) REFERENCES opds (id)
);
CREATE INDEX opds_parent_idx ON opds (parent_id);

CREATE TABLE accounts (
    id           uuid NOT NULL,
    opd_id       uuid NOT NULL,
    platform     text NOT NULL,
    handle       text NOT NULL,
    api_base_url text,
    status       text NOT NULL,
    CONSTRAINT accounts_pkey PRIMARY KEY (id),
    CONSTRAINT accounts_platform_handle_key UNIQUE (platform, handle),
    CONSTRAINT accounts_opd_fkey FOREIGN KEY (opd_id) REFERENCES opds (id)
);
CREATE INDEX accounts_opd_idx ON accounts (opd_id);

CREATE TABLE users (
    id            uuid NOT NULL,
    username      text NOT NULL,
    display_name  text NOT NULL,
    role          text NOT NULL,
    opd_id        uuid,
    locale        text NOT NULL,
    zone          text NOT NULL,
    active        boolean NOT NULL,
    password_hash text NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_opd_fkey FOREIGN KEY (opd_id) REFERENCES opds (id)
);
CREATE INDEX users_opd_idx ON users (opd_id);

CREATE TABLE delegations (
    id        uuid NOT NULL,
    opd_id    uuid NOT NULL,
    from_user uuid NOT NULL,
    to_user   uuid NOT NULL,
    kind      text NOT NULL,
    starts_on text NOT NULL,
    ends_on   text NOT NULL,
    reason    text NOT NULL,
    revoked   boolean NOT NULL,
    CONSTRAINT delegations_pkey PRIMARY KEY (id),
    CONSTRAINT delegations_opd_fkey FOREIGN KEY (opd_id) REFERENCES opds (id),
    CONSTRAINT delegations_from_user_fkey FOREIGN KEY (from_user) REFERENCES users (id),
    CONSTRAINT delegations_to_user_fkey FOREIGN KEY (to_user) REFERENCES users (id)
);
CREATE INDEX delegations_opd_idx ON delegations (opd_id);
CREATE INDEX delegations_from_idx ON delegations (from_user);
CREATE INDEX delegations_to_idx ON delegations (to_user);

CREATE TABLE sessions (
    id_hash       text NOT NULL,
    user_id       uuid NOT NULL,
    csrf_token    text NOT NULL,
    created_at_us bigint NOT NULL,
    last_seen_us  bigint NOT NULL,
    expires_at_us bigint NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (id_hash),
    CONSTRAINT sessions_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at_us);

CREATE TABLE api_tokens (
    id            uuid NOT NULL,
    user_id       uuid NOT NULL,
    name          text NOT NULL,
    token_hash    text NOT NULL,
    created_at_us bigint NOT NULL,
    last_used_us  bigint,
    CONSTRAINT api_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT api_tokens_hash_key UNIQUE (token_hash),
    CONSTRAINT api_tokens_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- seq is assigned by Humas (not a sequence) because the hash chain covers it; appends are
-- serialised by a transaction-scoped advisory lock. actor_id and opd_id have no foreign keys:
-- the log outlives what it describes. before_json/after_json are TEXT, not jsonb, because the
-- hash covers their exact bytes.
CREATE TABLE audit_log (
    seq         bigint NOT NULL,
    at_us       bigint NOT NULL,
    actor_id    uuid,
    actor       text NOT NULL,
    action      text NOT NULL,
    target_kind text NOT NULL,
    target_id   text NOT NULL,
    opd_id      uuid,
    before_json text,
    after_json  text,
    prev_hash   text NOT NULL,
    hash        text NOT NULL,
    CONSTRAINT audit_log_pkey PRIMARY KEY (seq)
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, seq);
CREATE INDEX audit_log_opd_idx ON audit_log (opd_id, seq);
CREATE INDEX audit_log_action_idx ON audit_log (action text_pattern_ops);
CREATE INDEX audit_log_at_idx ON audit_log (at_us);
