-- The shared event log behind live updates when several instances serve
-- one database (see internal/events.Shared). A SQLite database has one
-- instance, whose events stay in memory: the table is unused here and
-- exists so that the two schemas stay parallel. AUTOINCREMENT, because an
-- event ID, once handed out, must never come back.
CREATE TABLE events (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    type  TEXT NOT NULL,
    data  BLOB NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX events_topic ON events (topic, id);
CREATE INDEX events_at ON events (at);
