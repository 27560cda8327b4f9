package express

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	const host = "Host: example.org\r\n"
	tests := []struct {
		name, head string
		want       parsed
		target     string
		ae, al     string
		inm, xfp   string
	}{
		{name: "plain", head: "GET /t/a.jpg HTTP/1.1\r\n" + host + "\r\n", want: mine, target: "/t/a.jpg"},
		{name: "query", head: "GET /c/x?lang=de&before=Ab-9 HTTP/1.1\r\n" + host + "\r\n", want: mine, target: "/c/x?lang=de&before=Ab-9"},
		{name: "browser", head: "GET / HTTP/1.1\r\n" + host + "User-Agent: x\r\nAccept: */*\r\naccept-encoding: gzip, br\r\nACCEPT-LANGUAGE:  de-DE \r\n" +
			"Connection: keep-alive\r\nSec-Fetch-Site: same-origin\r\nIf-None-Match: \"abc\"\r\nX-Forwarded-Proto: https\r\n\r\n",
			want: mine, target: "/", ae: "gzip, br", al: "de-DE", inm: `"abc"`, xfp: "https"},
		{name: "not all there", head: "GET / HTTP/1.1\r\n" + host, want: needMore},
		{name: "too long to wait for", head: "GET / HTTP/1.1\r\n" + host + "User-Agent: " + strings.Repeat("x", MaxHead), want: notMine},
		{name: "bare line feeds", head: "GET / HTTP/1.1\n" + "Host: x\n\n", want: notMine},
		{name: "HEAD", head: "HEAD / HTTP/1.1\r\n" + host + "\r\n", want: notMine},
		{name: "POST", head: "POST /c/x HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n", want: notMine},
		{name: "HTTP/1.0", head: "GET / HTTP/1.0\r\n" + host + "\r\n", want: notMine},
		{name: "HTTP/2 preface", head: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", want: notMine},
		{name: "absolute form", head: "GET http://example.org/ HTTP/1.1\r\n" + host + "\r\n", want: notMine},
		{name: "no host", head: "GET / HTTP/1.1\r\n\r\n", want: notMine},
		{name: "empty host", head: "GET / HTTP/1.1\r\nHost:\r\n\r\n", want: notMine},
		{name: "two hosts", head: "GET / HTTP/1.1\r\n" + host + host + "\r\n", want: notMine},
		{name: "two languages", head: "GET / HTTP/1.1\r\n" + host + "Accept-Language: de\r\nAccept-Language: fr\r\n\r\n", want: notMine},
		{name: "cookie", head: "GET / HTTP/1.1\r\n" + host + "Cookie: s=1\r\n\r\n", want: notMine},
		{name: "range", head: "GET /t/a.jpg HTTP/1.1\r\n" + host + "Range: bytes=0-1\r\n\r\n", want: notMine},
		{name: "by date", head: "GET /t/a.jpg HTTP/1.1\r\n" + host + "If-Modified-Since: x\r\n\r\n", want: notMine},
		{name: "by date and tag: the tag wins", head: "GET /t/a.jpg HTTP/1.1\r\n" + host + "If-Modified-Since: x\r\nIf-None-Match: \"t\"\r\n\r\n",
			want: mine, target: "/t/a.jpg", inm: `"t"`},
		{name: "behind Caddy", head: "GET / HTTP/1.1\r\n" + host + "X-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Host: example.org\r\nX-Forwarded-Proto: https\r\n" +
			"Sec-Ch-Ua-Platform-Version: \"15\"\r\nSec-Fetch-Storage-Access: none\r\nOrigin: https://example.org\r\n\r\n", want: mine, target: "/", xfp: "https"},
		{name: "a body", head: "GET / HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello", want: notMine},
		{name: "chunked", head: "GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n", want: notMine},
		{name: "unknown header", head: "GET / HTTP/1.1\r\n" + host + "X-Anything: 1\r\n\r\n", want: notMine},
		{name: "connection close", head: "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", want: notMine},
		{name: "upgrade", head: "GET / HTTP/1.1\r\n" + host + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\r\n", want: notMine},
		{name: "folded header", head: "GET / HTTP/1.1\r\n" + host + "User-Agent: a\r\n b\r\n\r\n", want: notMine},
		{name: "space before colon", head: "GET / HTTP/1.1\r\n" + host + "Accept-Language : de\r\n\r\n", want: notMine},
		{name: "control character", head: "GET / HTTP/1.1\r\n" + host + "User-Agent: a\x00b\r\n\r\n", want: notMine},
		{name: "lone CR", head: "GET / HTTP/1.1\r\n" + host + "User-Agent: a\rb\r\n\r\n", want: notMine},
		{name: "escaped path", head: "GET /t/%61.jpg HTTP/1.1\r\n" + host + "\r\n", want: notMine},
		{name: "dot segment", head: "GET /c/../mod HTTP/1.1\r\n" + host + "\r\n", want: notMine},
		{name: "double slash", head: "GET //c/x HTTP/1.1\r\n" + host + "\r\n", want: notMine},
		{name: "space in target", head: "GET /c/x y HTTP/1.1\r\n" + host + "\r\n", want: notMine},
		{name: "fragment", head: "GET /c/x?a#b HTTP/1.1\r\n" + host + "\r\n", want: notMine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h head
			got := parse([]byte(tt.head), &h)
			if got != tt.want {
				t.Fatalf("parse = %d, want %d", got, tt.want)
			}
			if got != mine {
				return
			}
			if h.n != len(tt.head) {
				t.Errorf("head is %d bytes, want %d", h.n, len(tt.head))
			}
			for _, f := range []struct{ name, got, want string }{
				{"target", string(h.target), tt.target}, {"host", string(h.host), "example.org"},
				{"Accept-Encoding", string(h.acceptEncoding), tt.ae}, {"Accept-Language", string(h.acceptLanguage), tt.al},
				{"If-None-Match", string(h.ifNoneMatch), tt.inm}, {"X-Forwarded-Proto", string(h.forwardedProto), tt.xfp},
			} {
				if f.got != f.want {
					t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
				}
			}
		})
	}
}

// TestFingerprint checks that what can change an answer changes the
// fingerprint, and what cannot does not.
func TestFingerprint(t *testing.T) {
	fp := func(raw, peer string) string {
		var h head
		if parse([]byte(raw+"\r\n"), &h) != mine {
			t.Fatalf("not the lane's: %q", raw)
		}
		return string(fingerprint(nil, &h, []byte(peer)))
	}
	base := fp("GET /c/x HTTP/1.1\r\nHost: a\r\n", "192.0.2.1")
	same := []string{
		"GET /c/x HTTP/1.1\r\nHost: a\r\nUser-Agent: other\r\nAccept: text/html\r\n",
		"GET /c/x HTTP/1.1\r\nhost: a\r\nX-Forwarded-For: 198.51.100.7\r\n",
	}
	for _, h := range same {
		if got := fp(h, "203.0.113.5"); got != base {
			t.Errorf("%q: a header that changes no answer changed the fingerprint", h)
		}
	}
	differ := []string{
		"GET /c/y HTTP/1.1\r\nHost: a\r\n",
		"GET /c/x?lang=de HTTP/1.1\r\nHost: a\r\n",
		"GET /c/x HTTP/1.1\r\nHost: b\r\n",
		"GET /c/x HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br\r\n",
		"GET /c/x HTTP/1.1\r\nHost: a\r\nAccept-Language: de\r\n",
		"GET /c/x HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"x\"\r\n",
		"GET /c/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: https\r\n",
	}
	seen := map[string]string{base: "base"}
	for _, h := range differ {
		got := fp(h, "192.0.2.1")
		if prev, ok := seen[got]; ok {
			t.Errorf("%q has the fingerprint of %q", h, prev)
		}
		seen[got] = h
	}
	// A scheme named by a proxy is believed only from a trusted one: the
	// peer then counts.
	xfp := "GET /c/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: https\r\n"
	if fp(xfp, "192.0.2.1") == fp(xfp, "192.0.2.2") {
		t.Error("X-Forwarded-Proto from two peers has one fingerprint")
	}
}

// TestWriterSendsHeadersAsWritten: what a handler changes in the header
// map after WriteHeader is not sent, as with net/http.
func TestWriterSendsHeadersAsWritten(t *testing.T) {
	w := &writer{header: http.Header{}}
	w.Header().Set("X-Before", "1")
	w.WriteHeader(http.StatusTeapot)
	w.Header().Set("X-After", "1")
	w.Write([]byte("short and stout"))
	head, tail, closing := w.response()
	got := string(head) + "|" + string(tail)
	want := "HTTP/1.1 418 I'm a teapot\r\nX-Before: 1\r\nContent-Type: text/plain; charset=utf-8\r\n|Content-Length: 15\r\n\r\nshort and stout"
	if got != want || closing {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzParse: no input makes parse panic, and every head it calls its own
// is one net/http reads the same way: a GET of the same target and host,
// with the same values of the headers the fingerprint keys on.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /c/x?lang=de HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br\r\nAccept-Language: de\r\nIf-None-Match: \"x\"\r\n\r\n",
		"GET /t/a.jpg HTTP/1.1\r\nhost: a\r\nX-Forwarded-Proto: https\r\nIf-Modified-Since: x\r\nIf-None-Match: *\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var h head
		if parse(b, &h) != mine {
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b[:h.n])))
		if err != nil {
			t.Fatalf("the lane's head %q: net/http refuses it: %v", b[:h.n], err)
		}
		if req.Method != http.MethodGet || req.RequestURI != string(h.target) || req.Host != string(h.host) {
			t.Fatalf("%q: net/http reads %s %s host %q", b[:h.n], req.Method, req.RequestURI, req.Host)
		}
		for name, v := range map[string][]byte{"Accept-Encoding": h.acceptEncoding, "Accept-Language": h.acceptLanguage,
			"If-None-Match": h.ifNoneMatch, "X-Forwarded-Proto": h.forwardedProto} {
			if got := req.Header.Values(name); len(got) > 1 || req.Header.Get(name) != string(v) {
				t.Fatalf("%q: %s is %q to net/http, %q to the lane", b[:h.n], name, got, v)
			}
		}
		if req.ContentLength != 0 || len(req.TransferEncoding) > 0 || req.Close {
			t.Fatalf("%q: net/http sees a body or a close", b[:h.n])
		}
	})
}
