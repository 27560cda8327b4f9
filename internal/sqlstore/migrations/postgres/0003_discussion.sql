-- Anonymous comments and votes. Both vanish with their post (ON DELETE
-- CASCADE).
ALTER TABLE posts ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;

CREATE TABLE comments (
    id          TEXT COLLATE "C" PRIMARY KEY,
    post_id     TEXT COLLATE "C" NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    n           INTEGER NOT NULL, -- 1, 2, 3... inside the post's thread
    body        TEXT NOT NULL,
    poster_id   TEXT NOT NULL,
    is_uploader BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX comments_post_n ON comments (post_id, n);

-- voter is a keyed hash (see chatpic.Keyring): one vote per client per
-- post, nothing that leads back to the client.
CREATE TABLE votes (
    post_id TEXT COLLATE "C" NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    voter   BYTEA NOT NULL,
    value   SMALLINT NOT NULL CHECK (value IN (-1, 1)),
    PRIMARY KEY (post_id, voter)
);
