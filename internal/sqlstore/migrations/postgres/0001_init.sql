-- The PostgreSQL twin of migrations/sqlite/0001_init.sql. Times are
-- integer milliseconds since the Unix epoch, UTC (BIGINT), as in SQLite,
-- so that both dialects store and scan them alike. Keys compare byte by
-- byte (COLLATE "C"), as SQLite's do, whatever the database's collation.

CREATE TABLE channels (
    slug        TEXT COLLATE "C" PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    ttl_seconds BIGINT NOT NULL DEFAULT 0 CHECK (ttl_seconds >= 0),
    nsfw        BOOLEAN NOT NULL DEFAULT FALSE,
    -- post_count is the number of rows in posts for this channel (including
    -- expired rows the janitor has not removed yet); post_total is the number
    -- of uploads the channel ever had, i.e. the last seq handed out. Keeping
    -- both here makes capacity eviction O(1) in the channel's history. This
    -- row is also the lock that serialises the channel's inserts and
    -- evictions across instances.
    post_count  BIGINT NOT NULL DEFAULT 0,
    post_total  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

CREATE TABLE posts (
    id                TEXT COLLATE "C" PRIMARY KEY,
    channel           TEXT COLLATE "C" NOT NULL REFERENCES channels (slug),
    seq               BIGINT NOT NULL,
    caption           TEXT NOT NULL DEFAULT '',
    mime              TEXT NOT NULL,
    ext               TEXT NOT NULL,
    thumb_ext         TEXT NOT NULL,
    width             INTEGER NOT NULL,
    height            INTEGER NOT NULL,
    bytes             BIGINT NOT NULL,
    sha256            BYTEA NOT NULL,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT,
    delete_token_hash BYTEA NOT NULL
);

CREATE UNIQUE INDEX posts_channel_seq ON posts (channel, seq);
CREATE INDEX posts_expires_at ON posts (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE tombstones (
    id      TEXT COLLATE "C" PRIMARY KEY,
    channel TEXT COLLATE "C" NOT NULL,
    reason  TEXT NOT NULL,
    gone_at BIGINT NOT NULL
);

CREATE TABLE settings (
    name  TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);
