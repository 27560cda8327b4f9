package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chatpic/chatpic"
)

// albumDoc is the posts.album column: a post's files after the first, and
// whether moderation removed its first. Its field names are a storage
// format that outlives releases: add, never rename.
type albumDoc struct {
	FirstRemoved bool        `json:"first_removed,omitempty"`
	More         []albumItem `json:"more,omitempty"`
}

type albumItem struct {
	Kind       string `json:"kind"`
	MIME       string `json:"mime"`
	Ext        string `json:"ext"`
	ThumbExt   string `json:"thumb_ext"`
	ThumbMIME  string `json:"thumb_mime"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	DurationMS int64  `json:"duration_ms,omitempty"`
	Frames     int    `json:"frames"`
	Bytes      int64  `json:"bytes"`
	SHA256     []byte `json:"sha256"`
	PDQ        []byte `json:"pdq,omitempty"`
	PDQQuality int    `json:"pdq_quality,omitempty"`
	Removed    bool   `json:"removed,omitempty"`
}

// albumValue encodes what of p the album column holds: NULL for a single
// file that was never removed.
func albumValue(p chatpic.Post) (any, error) {
	if len(p.More) == 0 && !p.Item.Removed {
		return nil, nil
	}
	doc := albumDoc{FirstRemoved: p.Item.Removed}
	for _, it := range p.More {
		doc.More = append(doc.More, albumItem{
			Kind: string(it.Kind), MIME: it.MIME, Ext: it.Ext, ThumbExt: it.ThumbExt, ThumbMIME: it.ThumbMIME,
			Width: it.Width, Height: it.Height, DurationMS: it.Duration.Milliseconds(), Frames: it.Frames,
			Bytes: it.Bytes, SHA256: it.SHA256[:], PDQ: it.PDQ, PDQQuality: it.PDQQuality, Removed: it.Removed,
		})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode album: %w", err)
	}
	return string(b), nil
}

// setAlbum decodes the album column into p.
func setAlbum(p *chatpic.Post, col sql.NullString) error {
	if !col.Valid || col.String == "" {
		return nil
	}
	var doc albumDoc
	if err := json.Unmarshal([]byte(col.String), &doc); err != nil {
		return fmt.Errorf("decode album of %s: %w", p.ID, err)
	}
	p.Item.Removed = doc.FirstRemoved
	p.More = make([]chatpic.Item, len(doc.More))
	for i, a := range doc.More {
		it := chatpic.Item{
			Kind: chatpic.MediaKind(a.Kind), MIME: a.MIME, Ext: a.Ext, ThumbExt: a.ThumbExt, ThumbMIME: a.ThumbMIME,
			Width: a.Width, Height: a.Height, Duration: time.Duration(a.DurationMS) * time.Millisecond, Frames: a.Frames,
			Bytes: a.Bytes, PDQ: a.PDQ, PDQQuality: a.PDQQuality, Removed: a.Removed,
		}
		copy(it.SHA256[:], a.SHA256)
		p.More[i] = it
	}
	return nil
}
