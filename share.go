package chatpic

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// ShareHold is how long a file shared to the site from another app (the
// installed web app's share target) is held, as it arrived, before it is
// posted: long enough to pick a channel and write a caption, short enough
// that the unscrubbed bytes do not linger.
const ShareHold = 15 * time.Minute

// SharePrefix is the blob-store prefix of held shares. The key of one is
// SharePrefix followed by the shape of its ID (see ShareKey), which starts
// with its expiry, so that any instance can find it and a sweep can tell
// the expired ones from their keys alone.
const SharePrefix = "share/"

// shareRandomBytes is the random part of a share ID: 128 bits.
const shareRandomBytes = 16

// NewShareID returns the ID of a share of files (1 to MaxFiles) held
// until expires: "{unix seconds}-{128 random bits, URL-safe}", and
// ".{files}" when there are several. The random part makes it
// unguessable; the time and the count are not secret.
func NewShareID(expires time.Time, files int) string {
	id := strconv.FormatInt(expires.Unix(), 10) + "-" + randomString(shareRandomBytes)
	if files > 1 {
		id += "." + strconv.Itoa(files)
	}
	return id
}

// ParseShareID returns the time a share ID says its share expires and how
// many files it holds, and false if id is not shaped like one NewShareID
// makes.
func ParseShareID(id string) (expires time.Time, files int, ok bool) {
	id, count, several := strings.Cut(id, ".")
	files = 1
	if several {
		n, err := strconv.Atoi(count)
		if err != nil || n < 2 || n > MaxFiles || strconv.Itoa(n) != count {
			return time.Time{}, 0, false
		}
		files = n
	}
	expires, ok = parseShareName(id)
	if !ok {
		return time.Time{}, 0, false
	}
	return expires, files, true
}

// parseShareName reads the expiry of "{unix seconds}-{random}", as a share
// ID without its count and a key without its prefix and file number have
// it.
func parseShareName(id string) (time.Time, bool) {
	secs, random, ok := strings.Cut(id, "-")
	if !ok || len(secs) == 0 || len(secs) > 12 || len(random) != base64.RawURLEncoding.EncodedLen(shareRandomBytes) || !urlSafe(random) {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != secs {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// ShareKey returns the blob-store key of the nth file (counting from 1) of
// the share id: its expiry, and a hash of its random part in place of it,
// then ".n" past the first file. The ID opens the unscrubbed files it
// names; the key, which error messages and listings may carry into a log,
// does not. ShareKeyExpiry reads the expiry back.
func ShareKey(id string, n int) string {
	id, _, _ = strings.Cut(id, ".")
	secs, random, _ := strings.Cut(id, "-")
	sum := sha256.Sum256([]byte(random))
	key := SharePrefix + secs + "-" + base64.RawURLEncoding.EncodeToString(sum[:shareRandomBytes])
	if n > 1 {
		key += "." + strconv.Itoa(n)
	}
	return key
}

// ShareKeyExpiry returns when the held file under key (made by ShareKey)
// stops being held, and false if key is not shaped like one.
func ShareKeyExpiry(key string) (time.Time, bool) {
	name, ok := strings.CutPrefix(key, SharePrefix)
	if !ok {
		return time.Time{}, false
	}
	name, n, several := strings.Cut(name, ".")
	if several {
		if i, err := strconv.Atoi(n); err != nil || i < 2 || i > MaxFiles || strconv.Itoa(i) != n {
			return time.Time{}, false
		}
	}
	return parseShareName(name)
}
