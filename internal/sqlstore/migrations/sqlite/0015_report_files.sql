-- A report may name one file of an album (reports.file, 0 for the whole
-- upload). One client's open reports count once per thing they name, so a
-- reporter may report two files of one album; the hiding threshold counts
-- distinct reporters of the upload, whatever they name.
DROP INDEX reports_once;
CREATE UNIQUE INDEX reports_once ON reports (post_id, comment_id, file, reporter) WHERE resolved_at IS NULL;
