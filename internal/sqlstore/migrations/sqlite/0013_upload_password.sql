-- A link-only upload may be locked with a password, kept only as its
-- argon2id hash; NULL for none.
ALTER TABLE posts ADD COLUMN password_hash TEXT;
