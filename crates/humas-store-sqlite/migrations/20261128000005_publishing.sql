-- Publishing (issue 5): uploaded media, posts with per-channel variants, approvals, approval
-- chains per OPD, and the durable publication queue.
CREATE TABLE media_assets (
    id BLOB PRIMARY KEY,
    opd_id BLOB NOT NULL REFERENCES opds(id),
    uploaded_by BLOB NOT NULL REFERENCES users(id),
    file_name TEXT NOT NULL,
    mime TEXT NOT NULL,
    kind TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    duration_ms INTEGER,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    alt_text TEXT,
    created_us INTEGER NOT NULL
);

CREATE TABLE posts (
    id BLOB PRIMARY KEY,
    opd_id BLOB NOT NULL REFERENCES opds(id),
    author_id BLOB NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    scheduled_us INTEGER,
    state TEXT NOT NULL,
    emergency INTEGER NOT NULL DEFAULT 0,
    narrative_id BLOB,
    review_round INTEGER NOT NULL DEFAULT 0,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
);
CREATE INDEX posts_opd_scheduled ON posts (opd_id, scheduled_us);
CREATE INDEX posts_state_scheduled ON posts (state, scheduled_us);

CREATE TABLE post_channels (
    post_id BLOB NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    account_id BLOB NOT NULL REFERENCES accounts(id),
    platform TEXT NOT NULL,
    body TEXT,
    PRIMARY KEY (post_id, position),
    UNIQUE (post_id, account_id)
);

CREATE TABLE post_media (
    post_id BLOB NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    media_id BLOB NOT NULL REFERENCES media_assets(id),
    PRIMARY KEY (post_id, position)
);

CREATE TABLE post_approvals (
    post_id BLOB NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    step INTEGER NOT NULL,
    approver_id BLOB NOT NULL REFERENCES users(id),
    on_behalf_of BLOB REFERENCES users(id),
    at_us INTEGER NOT NULL,
    PRIMARY KEY (post_id, round, step, approver_id)
);

CREATE TABLE approval_chains (
    opd_id BLOB PRIMARY KEY REFERENCES opds(id) ON DELETE CASCADE,
    chain_json TEXT NOT NULL,
    updated_us INTEGER NOT NULL
);

CREATE TABLE publish_jobs (
    id BLOB PRIMARY KEY,
    post_id BLOB NOT NULL REFERENCES posts(id),
    account_id BLOB NOT NULL REFERENCES accounts(id),
    opd_id BLOB NOT NULL REFERENCES opds(id),
    due_us INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_us INTEGER NOT NULL,
    lease_until_us INTEGER,
    worker TEXT,
    idempotency_key TEXT NOT NULL,
    intent_us INTEGER,
    in_doubt INTEGER NOT NULL DEFAULT 0,
    prior_doubt INTEGER NOT NULL DEFAULT 0,
    external_id TEXT,
    url TEXT,
    last_error TEXT,
    pending_handle TEXT,
    published_us INTEGER,
    updated_us INTEGER NOT NULL,
    UNIQUE (post_id, account_id)
);
-- The worker's question "what is due now?" reads only live jobs, by their next moment.
CREATE INDEX publish_jobs_live ON publish_jobs (next_attempt_us)
    WHERE state IN ('scheduled', 'publishing', 'processing');
CREATE INDEX publish_jobs_due ON publish_jobs (due_us);

-- Central narratives (narasi tunggal): the province's text, key messages, media and deadline,
-- and the OPDs asked to adapt and publish it (their drafts are posts with narrative_id).
CREATE TABLE narratives (
    id BLOB PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    key_messages TEXT NOT NULL,
    deadline_us INTEGER NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_us INTEGER NOT NULL
);

CREATE TABLE narrative_media (
    narrative_id BLOB NOT NULL REFERENCES narratives(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    media_id BLOB NOT NULL REFERENCES media_assets(id),
    PRIMARY KEY (narrative_id, position)
);

CREATE TABLE narrative_opds (
    narrative_id BLOB NOT NULL REFERENCES narratives(id) ON DELETE CASCADE,
    opd_id BLOB NOT NULL REFERENCES opds(id),
    PRIMARY KEY (narrative_id, opd_id)
);
CREATE INDEX narrative_opds_opd ON narrative_opds (opd_id);
CREATE INDEX posts_narrative ON posts (narrative_id);

-- Preferred weekly publishing moments per account (ISO weekday, minute of the day in WIB).
CREATE TABLE account_slots (
    account_id BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL,
    minute INTEGER NOT NULL,
    PRIMARY KEY (account_id, weekday, minute)
);

-- Why an approver sent a post back, per review round, so its author reads it on the post.
CREATE TABLE post_rejections (
    post_id BLOB NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    rejected_by BLOB NOT NULL REFERENCES users(id),
    note TEXT NOT NULL,
    at_us INTEGER NOT NULL,
    PRIMARY KEY (post_id, round)
);

-- The latest engagement figures the platform reported for each published channel.
CREATE TABLE job_engagement (
    job_id BLOB PRIMARY KEY REFERENCES publish_jobs(id) ON DELETE CASCADE,
    likes INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    shares INTEGER NOT NULL,
    views INTEGER,
    at_us INTEGER NOT NULL
);
CREATE INDEX publish_jobs_published ON publish_jobs (published_us) WHERE state = 'published';
