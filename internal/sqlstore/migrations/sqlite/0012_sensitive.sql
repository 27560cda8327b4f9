-- An uploader may mark a picture sensitive: pages show it blurred until a
-- viewer chooses to see it (as they do everything in a channel marked
-- NSFW, which needs no column).
ALTER TABLE posts ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT FALSE;
