-- Safety and moderation: reports, moderators, audit, hash bans, poster bans.
-- No column holds a client address: clients appear only as keyed hashes
-- under a secret that rotates and is never stored (see chatpic.Keyring).

ALTER TABLE channels ADD COLUMN report_threshold INTEGER NOT NULL DEFAULT 3;
ALTER TABLE channels ADD COLUMN premod TEXT NOT NULL DEFAULT 'off';
ALTER TABLE channels ADD COLUMN challenge TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE channels ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;

-- status: visible, hidden (by reports, until reviewed) or pending
-- (pre-moderation). client_key is the uploader's keyed hash, kept only
-- while the row lives, for poster bans.
ALTER TABLE posts ADD COLUMN status TEXT NOT NULL DEFAULT 'visible';
ALTER TABLE posts ADD COLUMN client_key BLOB;
CREATE INDEX posts_status ON posts (status) WHERE status <> 'visible';

ALTER TABLE comments ADD COLUMN status TEXT NOT NULL DEFAULT 'visible';
ALTER TABLE comments ADD COLUMN client_key BLOB;
CREATE INDEX comments_status ON comments (status) WHERE status NOT IN ('visible', 'removed');

-- The moderators' statement of reasons for a removal.
ALTER TABLE tombstones ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- Reports outlive their target (no foreign key) so the transparency page
-- can count them; the note is dropped once a moderator has decided.
-- comment_id is '' when the upload itself is reported. reporter is a keyed
-- hash: one client's reports of one thing count once.
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    post_id     TEXT NOT NULL,
    comment_id  TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    reporter    BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    outcome     TEXT
);
-- One open report per client and thing; after a decision, a new report
-- starts a new round.
CREATE UNIQUE INDEX reports_once ON reports (post_id, comment_id, reporter) WHERE resolved_at IS NULL;
CREATE INDEX reports_created ON reports (created_at);

-- A receipt lets someone who reported follow what became of it, without
-- an e-mail address. Only the code's hash is kept.
CREATE TABLE receipts (
    code_hash  BLOB PRIMARY KEY,
    post_id    TEXT NOT NULL,
    comment_id TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE moderators (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- Sessions and API tokens are stored as SHA-256 of the secret.
CREATE TABLE mod_sessions (
    token_hash BLOB PRIMARY KEY,
    name       TEXT NOT NULL REFERENCES moderators (name) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE mod_tokens (
    token_hash BLOB PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE REFERENCES moderators (name) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    moderator TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    category  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);

CREATE TABLE hash_bans (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('sha256', 'pdq')),
    hash       BLOB NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX hash_bans_hash ON hash_bans (kind, hash);

-- client is the keyed hash of the person behind a banned upload or
-- comment; it means nothing once the secret it was made under rotates
-- away, which is when the ban ends.
CREATE TABLE poster_bans (
    client     BLOB PRIMARY KEY,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
