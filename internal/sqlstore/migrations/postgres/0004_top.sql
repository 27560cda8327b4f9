-- Reading a channel by score ("top").
CREATE INDEX posts_channel_score ON posts (channel, score, seq);
