-- Pages of one status other than `new` (assigned, awaiting approval, replied, closed) are a
-- small part of a large inbox: without this index such a page walks every message. New
-- messages are left out, so ingest (which only writes `new`) does not pay for it.
CREATE INDEX messages_worked_status_idx ON messages (status, published_at_us DESC, id DESC)
    WHERE status <> 'new';
