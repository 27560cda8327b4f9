package chatpic

import "time"

// HashKind says what a banned hash is a hash of.
type HashKind string

// The kinds of banned hashes.
const (
	HashSHA256 HashKind = "sha256" // the exact bytes of a file
	HashPDQ    HashKind = "pdq"    // the PDQ perceptual hash of a picture
)

// HashBan is a hash whose pictures may not be uploaded.
type HashBan struct {
	ID        int64
	Kind      HashKind
	Hash      []byte // 32 bytes for both kinds
	Note      string
	Source    string // "removal" (a moderator removed with a ban) or "import"
	CreatedAt time.Time
}
