package request

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// Origin knows the site's public address and which proxies to believe.
type Origin struct {
	base    *url.URL
	proxies []netip.Prefix
}

// NewOrigin returns an Origin. With base nil, links are built from each
// request's Host (and, behind a trusted proxy, X-Forwarded-Proto).
func NewOrigin(base *url.URL, trustedProxies []netip.Prefix) *Origin {
	return &Origin{base: base, proxies: trustedProxies}
}

// Fixed returns the site's public address as configured (--base-url),
// such as "https://pics.example.org", or "" when links are built from each
// request instead.
func (o *Origin) Fixed() string {
	if o.base == nil {
		return ""
	}
	return o.base.String()
}

// Base returns the scheme and host that links in a response to r use, with
// no trailing slash, such as "https://pics.example.org".
func (o *Origin) Base(r *http.Request) string {
	if o.base != nil {
		return o.base.String()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if o.trusted(r) {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
			scheme = p
		}
	}
	host := r.Host
	if host == "" || strings.ContainsAny(host, "/\\@ ") {
		host = "localhost"
	}
	return scheme + "://" + host
}

// ClientAddr returns the address of the client that sent r: the peer, or,
// when the peer is a trusted proxy, the last address in X-Forwarded-For that
// is not itself a trusted proxy. It is for rate limits and keyed hashes held
// in memory; it must never be stored or logged.
func (o *Origin) ClientAddr(r *http.Request) netip.Addr {
	peer := remoteAddr(r)
	if !o.trusted(r) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !o.isProxy(a) {
			return a
		}
	}
	return peer
}

func (o *Origin) trusted(r *http.Request) bool { return o.isProxy(remoteAddr(r)) }

func (o *Origin) isProxy(a netip.Addr) bool {
	for _, p := range o.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}
