package web

import (
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
)

// albumFile is one file of an album as its post page shows it.
type albumFile struct {
	N     int // its number in the album, from 1
	Of    int // how many files the album has
	Item  chatpic.Item
	Name  string // its file name without extension (chatpic.Post.FileName)
	Alt   string
	Video bool
	// Src and ThumbSrc are what the page loads: the file's links with the
	// view ticket of the page, if any. URL is its direct link, to share.
	Src, ThumbSrc, URL string
}

// albumFiles returns every file of the album p in order for its page in l;
// ticket, when set, is carried by the page's own links. It returns nil
// for a single file, which the page shows as it always did.
func albumFiles(l i18n.Lang, p chatpic.Post, base, ticket, channel string, now time.Time) []albumFile {
	if !p.IsAlbum() {
		return nil
	}
	q := ""
	if ticket != "" {
		q = "?v=" + ticket
	}
	var files []albumFile
	for i, it := range p.Items() {
		n := i + 1
		name := p.FileName(n)
		files = append(files, albumFile{
			N: n, Of: p.Files(), Item: it, Name: name, Video: it.Kind == chatpic.Video,
			Alt:      fileAlt(l, p, it, n, channel, now),
			Src:      "/m/" + name + "." + it.Ext + q,
			ThumbSrc: "/t/" + name + "." + it.ThumbExt + q,
			URL:      base + "/m/" + name + "." + it.Ext,
		})
	}
	return files
}

// cover returns the file that stands for p in lists and previews.
func cover(p chatpic.Post) chatpic.Item {
	it, _ := p.File(p.Cover())
	return it
}

// coverThumb returns the path of the thumbnail that stands for p in lists
// and previews: its cover's (chatpic.Post.Cover).
func coverThumb(p chatpic.Post) string {
	return "/t/" + p.FileName(p.Cover()) + "." + cover(p).ThumbExt
}

// albumCount returns how many files of p a list shows it has: the files
// not removed of an album, 0 for a single file or an album down to one.
func albumCount(p chatpic.Post) int {
	if n := p.Shown(); p.IsAlbum() && n > 1 {
		return n
	}
	return 0
}
