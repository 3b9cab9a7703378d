-- Publishing (issue 5): uploaded media, posts with per-channel variants, approvals, approval
-- chains per OPD, and the durable publication queue.
CREATE TABLE media_assets (
    id UUID PRIMARY KEY,
    opd_id UUID NOT NULL REFERENCES opds(id),
    uploaded_by UUID NOT NULL REFERENCES users(id),
    file_name TEXT NOT NULL,
    mime TEXT NOT NULL,
    kind TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    width BIGINT,
    height BIGINT,
    duration_ms BIGINT,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    alt_text TEXT,
    created_us BIGINT NOT NULL
);

CREATE TABLE posts (
    id UUID PRIMARY KEY,
    opd_id UUID NOT NULL REFERENCES opds(id),
    author_id UUID NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    scheduled_us BIGINT,
    state TEXT NOT NULL,
    emergency BOOLEAN NOT NULL DEFAULT FALSE,
    narrative_id UUID,
    review_round BIGINT NOT NULL DEFAULT 0,
    created_us BIGINT NOT NULL,
    updated_us BIGINT NOT NULL
);
CREATE INDEX posts_opd_scheduled ON posts (opd_id, scheduled_us);
CREATE INDEX posts_state_scheduled ON posts (state, scheduled_us);

CREATE TABLE post_channels (
    post_id UUID NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    account_id UUID NOT NULL REFERENCES accounts(id),
    platform TEXT NOT NULL,
    body TEXT,
    PRIMARY KEY (post_id, position),
    UNIQUE (post_id, account_id)
);

CREATE TABLE post_media (
    post_id UUID NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    media_id UUID NOT NULL REFERENCES media_assets(id),
    PRIMARY KEY (post_id, position)
);

CREATE TABLE post_approvals (
    post_id UUID NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    round BIGINT NOT NULL,
    step BIGINT NOT NULL,
    approver_id UUID NOT NULL REFERENCES users(id),
    on_behalf_of UUID REFERENCES users(id),
    at_us BIGINT NOT NULL,
    PRIMARY KEY (post_id, round, step, approver_id)
);

CREATE TABLE approval_chains (
    opd_id UUID PRIMARY KEY REFERENCES opds(id) ON DELETE CASCADE,
    chain_json TEXT NOT NULL,
    updated_us BIGINT NOT NULL
);

CREATE TABLE publish_jobs (
    id UUID PRIMARY KEY,
    post_id UUID NOT NULL REFERENCES posts(id),
    account_id UUID NOT NULL REFERENCES accounts(id),
    opd_id UUID NOT NULL REFERENCES opds(id),
    due_us BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_us BIGINT NOT NULL,
    lease_until_us BIGINT,
    worker TEXT,
    idempotency_key TEXT NOT NULL,
    intent_us BIGINT,
    in_doubt BOOLEAN NOT NULL DEFAULT FALSE,
    prior_doubt BOOLEAN NOT NULL DEFAULT FALSE,
    external_id TEXT,
    url TEXT,
    last_error TEXT,
    pending_handle TEXT,
    published_us BIGINT,
    updated_us BIGINT NOT NULL,
    UNIQUE (post_id, account_id)
);
-- The worker's question "what is due now?" reads only live jobs, by their next moment.
CREATE INDEX publish_jobs_live ON publish_jobs (next_attempt_us)
    WHERE state IN ('scheduled', 'publishing', 'processing');
CREATE INDEX publish_jobs_due ON publish_jobs (due_us);

-- Central narratives (narasi tunggal): the province's text, key messages, media and deadline,
-- and the OPDs asked to adapt and publish it (their drafts are posts with narrative_id).
CREATE TABLE narratives (
    id UUID PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    key_messages TEXT NOT NULL,
    deadline_us BIGINT NOT NULL,
    created_by UUID NOT NULL REFERENCES users(id),
    created_us BIGINT NOT NULL
);

CREATE TABLE narrative_media (
    narrative_id UUID NOT NULL REFERENCES narratives(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    media_id UUID NOT NULL REFERENCES media_assets(id),
    PRIMARY KEY (narrative_id, position)
);

CREATE TABLE narrative_opds (
    narrative_id UUID NOT NULL REFERENCES narratives(id) ON DELETE CASCADE,
    opd_id UUID NOT NULL REFERENCES opds(id),
    PRIMARY KEY (narrative_id, opd_id)
);
CREATE INDEX narrative_opds_opd ON narrative_opds (opd_id);
CREATE INDEX posts_narrative ON posts (narrative_id);

-- Preferred weekly publishing moments per account (ISO weekday, minute of the day in WIB).
CREATE TABLE account_slots (
    account_id UUID NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    weekday BIGINT NOT NULL,
    minute BIGINT NOT NULL,
    PRIMARY KEY (account_id, weekday, minute)
);

-- Why an approver sent a post back, per review round, so its author reads it on the post.
CREATE TABLE post_rejections (
    post_id UUID NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    round BIGINT NOT NULL,
    rejected_by UUID NOT NULL REFERENCES users(id),
    note TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    PRIMARY KEY (post_id, round)
);

-- The latest engagement figures the platform reported for each published channel.
CREATE TABLE job_engagement (
    job_id UUID PRIMARY KEY REFERENCES publish_jobs(id) ON DELETE CASCADE,
    likes BIGINT NOT NULL,
    comments BIGINT NOT NULL,
    shares BIGINT NOT NULL,
    views BIGINT,
    at_us BIGINT NOT NULL
);
CREATE INDEX publish_jobs_published ON publish_jobs (published_us) WHERE state = 'published';
