package moderation

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/chatpic/chatpic"
)

// The hash list format, one hash per line:
//
//	sha256 HEX [note]
//	pdq HEX [note]
//
// HEX is 64 hex digits; the note runs to the end of the line. Blank lines
// and lines starting with '#' are skipped.

// maxHashLine bounds one line of a hash list.
const maxHashLine = 4096

// ParseHashList reads a hash list. It returns a KindInvalid error naming
// the first bad line, and reads nothing more.
func ParseHashList(r io.Reader) ([]chatpic.HashBan, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), maxHashLine)
	var out []chatpic.HashBan
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.SplitN(line, " ", 3)
		if len(fields) < 2 {
			return nil, chatpic.Errorf(chatpic.KindInvalid, "line %d: want \"sha256 HEX [note]\" or \"pdq HEX [note]\"", n)
		}
		kind := chatpic.HashKind(strings.ToLower(fields[0]))
		if kind != chatpic.HashSHA256 && kind != chatpic.HashPDQ {
			return nil, chatpic.Errorf(chatpic.KindInvalid, "line %d: the kind is sha256 or pdq, not %q", n, fields[0])
		}
		h, err := hex.DecodeString(fields[1])
		if err != nil || len(h) != 32 {
			return nil, chatpic.Errorf(chatpic.KindInvalid, "line %d: a %s hash is 64 hex digits", n, kind)
		}
		b := chatpic.HashBan{Kind: kind, Hash: h}
		if len(fields) == 3 {
			note, err := chatpic.CleanNote(fields[2], 200)
			if err != nil {
				return nil, chatpic.Errorf(chatpic.KindInvalid, "line %d: %s", n, err)
			}
			b.Note = note
		}
		out = append(out, b)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, chatpic.Errorf(chatpic.KindInvalid, "a line is longer than %d bytes", maxHashLine)
		}
		return nil, fmt.Errorf("moderation: read hash list: %w", err)
	}
	return out, nil
}

// ImportHashes bans every hash in a hash list (see ParseHashList); nothing
// is banned if any line is bad. It returns how many hashes were new.
// Running servers pick them up on their next check. Errors: KindForbidden
// (not an admin), KindInvalid.
func (s *Service) ImportHashes(ctx context.Context, by chatpic.Moderator, r io.Reader, source string) (int, error) {
	if err := requireAdmin(by); err != nil {
		return 0, err
	}
	bans, err := ParseHashList(r)
	if err != nil {
		return 0, err
	}
	now := s.clock()
	for i := range bans {
		bans[i].Source, bans[i].CreatedAt = "import", now
	}
	n, err := s.store.AddHashBans(ctx, bans, chatpic.AuditEntry{
		At: now, Moderator: by.Name, Action: chatpic.AuditImportHashes, Target: source,
		Reason: fmt.Sprintf("%d hashes in the list", len(bans)),
	})
	if err != nil {
		return 0, err
	}
	return n, s.hashes.Sync(ctx)
}

// ExportHashes writes every banned hash as a hash list. Errors:
// KindForbidden.
func (s *Service) ExportHashes(ctx context.Context, by chatpic.Moderator, w io.Writer) (int, error) {
	if err := requireAdmin(by); err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	var after int64
	n := 0
	for {
		bans, err := s.store.HashBans(ctx, after, 5000)
		if err != nil {
			return n, err
		}
		for _, b := range bans {
			line := string(b.Kind) + " " + hex.EncodeToString(b.Hash)
			if b.Note != "" {
				line += " " + strings.ReplaceAll(b.Note, "\n", " ")
			}
			if _, err := bw.WriteString(line + "\n"); err != nil {
				return n, err
			}
			after = b.ID
			n++
		}
		if len(bans) < 5000 {
			return n, bw.Flush()
		}
	}
}
