-- What an alert has already been sent about, so that of the instances
-- watching one queue only one sends each alert: name is the kind of
-- alert, at the newest moment it was sent for (milliseconds).
CREATE TABLE alert_marks (
    name TEXT PRIMARY KEY,
    at   BIGINT NOT NULL
);
-- Open reports, oldest first, for the queue's age.
CREATE INDEX reports_open ON reports (created_at) WHERE resolved_at IS NULL;
