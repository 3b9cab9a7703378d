-- Organisation, people, sessions, tokens and the audit log.
-- Times are INTEGER microseconds since the Unix epoch (UTC); civil dates are TEXT YYYY-MM-DD.
-- Never edit this file once released: add a new migration (and its PostgreSQL twin).

CREATE TABLE opds (
    id        BLOB PRIMARY KEY NOT NULL,
    slug      TEXT NOT NULL,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    parent_id BLOB REFERENCES opds (id),
    CONSTRAINT opds_slug_key UNIQUE (slug)
);

CREATE TABLE accounts (
    id           BLOB PRIMARY KEY NOT NULL,
    opd_id       BLOB NOT NULL REFERENCES opds (id),
    platform     TEXT NOT NULL,
    handle       TEXT NOT NULL,
    api_base_url TEXT,
    status       TEXT NOT NULL,
    CONSTRAINT accounts_platform_handle_key UNIQUE (platform, handle)
);
CREATE INDEX accounts_opd_idx ON accounts (opd_id);

CREATE TABLE users (
    id            BLOB PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    opd_id        BLOB REFERENCES opds (id),
    locale        TEXT NOT NULL,
    zone          TEXT NOT NULL,
    active        INTEGER NOT NULL,
    password_hash TEXT NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);
CREATE INDEX users_opd_idx ON users (opd_id);

CREATE TABLE delegations (
    id        BLOB PRIMARY KEY NOT NULL,
    opd_id    BLOB NOT NULL REFERENCES opds (id),
    from_user BLOB NOT NULL REFERENCES users (id),
    to_user   BLOB NOT NULL REFERENCES users (id),
    kind      TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on   TEXT NOT NULL,
    reason    TEXT NOT NULL,
    revoked   INTEGER NOT NULL
);
CREATE INDEX delegations_to_idx ON delegations (to_user);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at_us INTEGER NOT NULL,
    last_seen_us  INTEGER NOT NULL,
    expires_at_us INTEGER NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
    id            BLOB PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    created_at_us INTEGER NOT NULL,
    last_used_us  INTEGER,
    CONSTRAINT api_tokens_hash_key UNIQUE (token_hash)
);

-- seq is assigned by Humas (not AUTOINCREMENT) because the hash chain covers it.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY NOT NULL,
    at_us       INTEGER NOT NULL,
    actor_id    BLOB,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    opd_id      BLOB,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, seq);
CREATE INDEX audit_log_opd_idx ON audit_log (opd_id, seq);
CREATE INDEX audit_log_at_idx ON audit_log (at_us);
