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

// NewShareID returns the ID of a share held until expires:
// "{unix seconds}-{128 random bits, URL-safe}". The random part makes it
// unguessable; the time is not secret.
func NewShareID(expires time.Time) string {
	return strconv.FormatInt(expires.Unix(), 10) + "-" + randomString(shareRandomBytes)
}

// ParseShareID returns the time a share ID says its share expires, and
// false if id is not shaped like one NewShareID makes.
func ParseShareID(id string) (time.Time, bool) {
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

// ShareKey returns the blob-store key of the share id: its expiry, and a
// hash of its random part in place of it. The ID opens the unscrubbed file
// it names; the key, which error messages and listings may carry into a
// log, does not. It has the ID's shape, so ParseShareID reads its expiry.
func ShareKey(id string) string {
	secs, random, _ := strings.Cut(id, "-")
	sum := sha256.Sum256([]byte(random))
	return SharePrefix + secs + "-" + base64.RawURLEncoding.EncodeToString(sum[:shareRandomBytes])
}
