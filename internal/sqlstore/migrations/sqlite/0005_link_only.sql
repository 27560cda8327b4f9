-- Link-only uploads live in a private channel that no listing shows and no
-- URL names ("-" is not a valid slug). views_left counts down the views a
-- self-destructing upload has left; NULL means no limit.
ALTER TABLE channels ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
INSERT INTO channels (slug, title, description, capacity, ttl_seconds, nsfw, created_at, private)
VALUES ('-', 'Link-only uploads', 'Uploads found only by their link.', 100000, 0, 0, 0, 1);
ALTER TABLE posts ADD COLUMN views_left INTEGER;
