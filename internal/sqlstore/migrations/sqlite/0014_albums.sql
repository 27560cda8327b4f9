-- A post may carry several files (an album). Its first file stays in the
-- post's own columns, so single-file posts and every link made before
-- albums are unchanged; the rest, and which files moderation removed, are
-- kept as one JSON document (see sqlstore/album.go), NULL for a single
-- file that was never touched.
ALTER TABLE posts ADD COLUMN album TEXT;
-- How many files one upload to the channel may carry.
ALTER TABLE channels ADD COLUMN max_files INTEGER NOT NULL DEFAULT 10;
-- The file of an album a report is about: 0 for the post as a whole.
ALTER TABLE reports ADD COLUMN file INTEGER NOT NULL DEFAULT 0;
