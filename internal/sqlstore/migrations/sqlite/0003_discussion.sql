-- Anonymous comments and votes. Both vanish with their post (ON DELETE
-- CASCADE; foreign keys are on for every connection through the DSN).
ALTER TABLE posts ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;

CREATE TABLE comments (
    id          TEXT PRIMARY KEY,
    post_id     TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    n           INTEGER NOT NULL, -- 1, 2, 3... inside the post's thread
    body        TEXT NOT NULL,
    poster_id   TEXT NOT NULL,
    is_uploader INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX comments_post_n ON comments (post_id, n);

-- voter is a keyed hash (see chatpic.Keyring): one vote per client per
-- post, nothing that leads back to the client.
CREATE TABLE votes (
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    voter   BLOB NOT NULL,
    value   INTEGER NOT NULL CHECK (value IN (-1, 1)),
    PRIMARY KEY (post_id, voter)
) WITHOUT ROWID;
