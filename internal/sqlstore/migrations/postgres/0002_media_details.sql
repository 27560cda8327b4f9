-- What the media pipeline learns about each upload: the kind of media, a
-- video's duration, an animation's frame count, and the PDQ perceptual hash
-- (32 bytes) that moderation matches against hash lists.
ALTER TABLE posts ADD COLUMN kind TEXT NOT NULL DEFAULT 'image';
ALTER TABLE posts ADD COLUMN duration_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN frames INTEGER NOT NULL DEFAULT 1;
ALTER TABLE posts ADD COLUMN pdq BYTEA;
ALTER TABLE posts ADD COLUMN pdq_quality INTEGER NOT NULL DEFAULT 0;
