-- State that the instances of one site share when they run on PostgreSQL
-- (on SQLite, one instance keeps it in memory and these tables stay
-- empty). No column holds a client address: clients appear only as keyed
-- hashes.

-- Random secrets, by name and period: the day keys behind poster IDs,
-- vote and report dedup, view tickets and proof-of-work challenges
-- ('day'), and the rotating client secret behind rate limits and poster
-- bans ('client/<period>'). The first instance to need one makes it, the
-- others read it. A row is deleted once it expires, and the hashes made
-- with it then lead back to no one. expires_at is Unix milliseconds.
CREATE TABLE secrets (
    name       TEXT NOT NULL,
    period     INTEGER NOT NULL,
    value      BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (name, period)
) WITHOUT ROWID;
CREATE INDEX secrets_expires ON secrets (expires_at);

-- Rate limits (the generic cell rate algorithm): full_ns, in Unix
-- nanoseconds, is when the client's allowance in the bucket is whole
-- again; after that the row says nothing and is deleted.
CREATE TABLE rate_limits (
    bucket  TEXT NOT NULL,
    client  BLOB NOT NULL,
    full_ns INTEGER NOT NULL,
    PRIMARY KEY (bucket, client)
) WITHOUT ROWID;
CREATE INDEX rate_limits_full ON rate_limits (full_ns);

-- Proof-of-work challenges already used, by their MAC, kept until they
-- expire (Unix milliseconds) so that each is good once on any instance.
CREATE TABLE spent_challenges (
    mac        BLOB PRIMARY KEY,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX spent_challenges_expires ON spent_challenges (expires_at);
