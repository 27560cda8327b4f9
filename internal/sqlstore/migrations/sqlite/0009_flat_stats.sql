-- What a channel shows (how many uploads, the newest) is counted without
-- walking its posts: post_count less the posts that are not visible and
-- those whose time ran out before the janitor removed them, each found
-- through an index of its own, and the newest from the top of
-- (channel, seq).
CREATE INDEX posts_channel_not_visible ON posts (channel) WHERE status <> 'visible';
CREATE INDEX posts_channel_expires ON posts (channel, expires_at) WHERE expires_at IS NOT NULL;
