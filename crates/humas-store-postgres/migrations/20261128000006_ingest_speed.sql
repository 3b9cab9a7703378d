-- Ingest speed (issue 4). Only "my messages" pages (assignee_id = $1) read the assignee index,
-- and a new message is never assigned: indexing the NULLs made every ingested message pay for
-- an entry no page uses (measured: 200,000 messages stored in 8.0–8.4 s instead of
-- 11.7–15.0 s, server-side, the rest of the schema unchanged). `assignee_id = $1` implies
-- `assignee_id IS NOT NULL`, so the planner still uses this index for those pages; the
-- SQLite store's index was partial from the start.
DROP INDEX messages_assignee_published_idx;
CREATE INDEX messages_assignee_published_idx
    ON messages (assignee_id, published_at_us DESC, id DESC)
    WHERE assignee_id IS NOT NULL;
