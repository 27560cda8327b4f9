package express

import "bytes"

// MaxHead is the longest request head the lane reads; a longer one is
// net/http's to refuse.
const MaxHead = 16 << 10

// parsed says what parse made of the start of a connection's input.
type parsed int

const (
	needMore parsed = iota // the head is not all there yet
	mine                   // a GET the lane may answer: h holds it
	notMine                // anything else: net/http's
)

// head is a request head the lane may answer. Its byte slices point into
// the connection's input.
type head struct {
	n      int    // bytes of the head, blank line included
	target []byte // as sent: path and query
	path   []byte
	// The headers that can change an answer (see fingerprint).
	host, acceptEncoding, acceptLanguage, ifNoneMatch, forwardedProto []byte
}

// parse reads the request head at the start of b into h. It is strict:
// only "GET target HTTP/1.1" with a plain path, CRLF line ends, one Host,
// no body, and headers that either change no answer of a route the lane
// serves or are among those fingerprint keys on. Everything else,
// HTTP/2's preface and HEAD included, is net/http's, with its own limits
// and refusals.
func parse(b []byte, h *head) parsed {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		if len(b) >= MaxHead || bytes.Contains(b, []byte("\n\n")) {
			return notMine
		}
		return needMore
	}
	*h = head{n: end + 4}
	lines := b[:end+2]
	i := bytes.Index(lines, []byte("\r\n"))
	if !requestLine(lines[:i], h) {
		return notMine
	}
	lines = lines[i+2:]
	var hosts int
	var byDate bool
	for len(lines) > 0 {
		i := bytes.Index(lines, []byte("\r\n"))
		line := lines[:i]
		lines = lines[i+2:]
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || bytes.IndexByte(line, '\n') >= 0 || bytes.IndexByte(line, '\r') >= 0 {
			return notMine
		}
		name, value := line[:colon], trim(line[colon+1:])
		if !token(name) || !fieldValue(value) {
			return notMine // net/http's to refuse
		}
		var slot *[]byte
		switch {
		case fold(name, "host"):
			hosts++
			slot = &h.host
		case fold(name, "accept-encoding"):
			slot = &h.acceptEncoding
		case fold(name, "accept-language"):
			slot = &h.acceptLanguage
		case fold(name, "if-none-match"):
			slot = &h.ifNoneMatch
		case fold(name, "x-forwarded-proto"):
			slot = &h.forwardedProto
		case fold(name, "if-modified-since"):
			byDate = true // answered only beside If-None-Match, which wins
			continue
		case fold(name, "connection"):
			if !fold(value, "keep-alive") {
				return notMine // close, upgrade: net/http's
			}
			continue
		case ignored(name):
			continue
		default:
			return notMine
		}
		if *slot != nil {
			return notMine // twice
		}
		*slot = value
	}
	if hosts != 1 || len(h.host) == 0 || byDate && h.ifNoneMatch == nil {
		return notMine
	}
	return mine
}

// requestLine reads "GET target HTTP/1.1" into h.
func requestLine(line []byte, h *head) bool {
	rest, ok := bytes.CutPrefix(line, []byte("GET "))
	if !ok {
		return false
	}
	target, ok := bytes.CutSuffix(rest, []byte(" HTTP/1.1"))
	if !ok || len(target) == 0 || target[0] != '/' {
		return false
	}
	path, query, _ := bytes.Cut(target, []byte("?"))
	if bytes.Contains(path, []byte("//")) || bytes.Contains(path, []byte("/.")) {
		return false // net/http cleans such paths, with a redirect
	}
	for _, c := range path {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
			return false
		}
	}
	for _, c := range query {
		if c <= ' ' || c >= 0x7f || c == '#' {
			return false
		}
	}
	h.target, h.path = target, path
	return true
}

// ignoredHeaders are the request headers that change no answer of a
// route the lane serves: what browsers, proxies and tools send on every
// request. Any other header sends the connection to net/http: a cookie
// (a moderator's session), a range, a body, a conditional request by
// date, an upgrade.
// (Origin too: chatpic answers no cross-origin request differently, and
// refuses only unsafe methods across sites. X-Forwarded-Host: the site's
// address comes from Host or --base-url.)
var ignoredHeaders = []string{
	"user-agent", "accept", "cache-control", "pragma", "referer", "dnt", "upgrade-insecure-requests",
	"priority", "sec-gpc", "sec-purpose", "purpose", "save-data", "accept-charset", "origin",
	"x-forwarded-for", "x-forwarded-host", "forwarded", "x-real-ip", "via", "x-request-id", "cdn-loop",
	"te", "keep-alive",
}

// ignoredPrefixes name families of such headers: fetch metadata and
// client hints.
var ignoredPrefixes = []string{"sec-fetch-", "sec-ch-"}

func ignored(name []byte) bool {
	for _, n := range ignoredHeaders {
		if fold(name, n) {
			return true
		}
	}
	for _, p := range ignoredPrefixes {
		if len(name) > len(p) && fold(name[:len(p)], p) {
			return true
		}
	}
	return false
}

// fold reports whether b equals the lower-case ASCII s, ignoring case.
func fold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// token reports whether b is a header name (RFC 9110's token).
func token(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) >= 0 {
			return false
		}
	}
	return len(b) > 0
}

// fieldValue reports whether b holds no control character but the tab
// (RFC 9110's field-value, as net/http checks it).
func fieldValue(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func trim(b []byte) []byte {
	return bytes.TrimFunc(b, func(r rune) bool { return r == ' ' || r == '\t' })
}

// fingerprint appends to dst what an answer to h can depend on: the
// target, the host and the headers that choose the language, the
// encoding and a 304, and, when a proxy says the scheme, the peer (a
// trusted proxy's word is taken, anyone else's not). Two requests with
// the same fingerprint get the same answer.
func fingerprint(dst []byte, h *head, peer []byte) []byte {
	dst = append(dst, h.target...)
	for _, v := range [][]byte{h.host, h.acceptEncoding, h.acceptLanguage, h.ifNoneMatch} {
		dst = append(dst, 0)
		dst = append(dst, v...)
	}
	if h.forwardedProto != nil {
		dst = append(dst, 0)
		dst = append(dst, h.forwardedProto...)
		dst = append(dst, 0)
		dst = append(dst, peer...)
	}
	return dst
}
