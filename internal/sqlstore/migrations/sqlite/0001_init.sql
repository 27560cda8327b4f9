-- Times are integer milliseconds since the Unix epoch, UTC.

CREATE TABLE channels (
    slug        TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    ttl_seconds INTEGER NOT NULL DEFAULT 0 CHECK (ttl_seconds >= 0),
    nsfw        INTEGER NOT NULL DEFAULT 0,
    -- post_count is the number of rows in posts for this channel (including
    -- expired rows the janitor has not removed yet); post_total is the number
    -- of uploads the channel ever had, i.e. the last seq handed out. Keeping
    -- both here makes capacity eviction O(1) in the channel's history.
    post_count  INTEGER NOT NULL DEFAULT 0,
    post_total  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

CREATE TABLE posts (
    id                TEXT PRIMARY KEY,
    channel           TEXT NOT NULL REFERENCES channels (slug),
    seq               INTEGER NOT NULL,
    caption           TEXT NOT NULL DEFAULT '',
    mime              TEXT NOT NULL,
    ext               TEXT NOT NULL,
    thumb_ext         TEXT NOT NULL,
    width             INTEGER NOT NULL,
    height            INTEGER NOT NULL,
    bytes             INTEGER NOT NULL,
    sha256            BLOB NOT NULL,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER,
    delete_token_hash BLOB NOT NULL
);

CREATE UNIQUE INDEX posts_channel_seq ON posts (channel, seq);
CREATE INDEX posts_expires_at ON posts (expires_at) WHERE expires_at IS NOT NULL;

-- One B-tree keyed by the ID (no rowid): a tombstone costs one insert into
-- one tree, however many there are.
CREATE TABLE tombstones (
    id      TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    reason  TEXT NOT NULL,
    gone_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
