-- A post records the type its thumbnail is served with, decided when the
-- thumbnail was made, rather than the server deriving it from the
-- extension. Existing thumbnails are JPEG or PNG (WebP was once allowed
-- for): their extension still tells.
ALTER TABLE posts ADD COLUMN thumb_mime TEXT NOT NULL DEFAULT '';
UPDATE posts SET thumb_mime = CASE thumb_ext
    WHEN 'jpg' THEN 'image/jpeg'
    WHEN 'png' THEN 'image/png'
    WHEN 'webp' THEN 'image/webp'
    ELSE '' END;
