-- Link-only uploads live in a private channel that no listing shows and no
-- URL names ("-" is not a valid slug). views_left counts down the views a
-- self-destructing upload has left; NULL means no limit.
ALTER TABLE channels ADD COLUMN private BOOLEAN NOT NULL DEFAULT FALSE;
INSERT INTO channels (slug, title, description, capacity, ttl_seconds, nsfw, created_at, private)
VALUES ('-', 'Link-only uploads', 'Uploads found only by their link.', 100000, 0, FALSE, 0, TRUE);
ALTER TABLE posts ADD COLUMN views_left INTEGER;
