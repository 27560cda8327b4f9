package request

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"
)

var testProxies = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("2001:db8::/32"),
}

func TestOriginBase(t *testing.T) {
	base, err := url.Parse("https://pics.example.org")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		base    *url.URL
		proxies []netip.Prefix
		remote  string
		host    string
		tls     bool
		proto   string // X-Forwarded-Proto
		want    string
	}{
		{name: "base URL wins over Host", base: base, remote: "203.0.113.7:5000", host: "evil.example", want: "https://pics.example.org"},
		{name: "base URL wins over a trusted proxy's proto", base: base, proxies: testProxies, remote: "10.0.0.1:5000", host: "pics.example.org", proto: "http", want: "https://pics.example.org"},
		{name: "from Host", remote: "203.0.113.7:5000", host: "pics.example.org", want: "http://pics.example.org"},
		{name: "from Host with port", remote: "203.0.113.7:5000", host: "localhost:8080", want: "http://localhost:8080"},
		{name: "from IPv6 Host", remote: "203.0.113.7:5000", host: "[::1]:8080", want: "http://[::1]:8080"},
		{name: "TLS means https", remote: "203.0.113.7:5000", host: "pics.example.org", tls: true, want: "https://pics.example.org"},
		{name: "trusted proxy says https", proxies: testProxies, remote: "10.0.0.1:5000", host: "pics.example.org", proto: "https", want: "https://pics.example.org"},
		{name: "trusted IPv6 proxy says https", proxies: testProxies, remote: "[2001:db8::1]:5000", host: "pics.example.org", proto: "https", want: "https://pics.example.org"},
		{name: "trusted proxy says http over TLS", proxies: testProxies, remote: "10.0.0.1:5000", host: "pics.example.org", tls: true, proto: "http", want: "http://pics.example.org"},
		{name: "untrusted peer's proto ignored", proxies: testProxies, remote: "203.0.113.7:5000", host: "pics.example.org", proto: "https", want: "http://pics.example.org"},
		{name: "proto ignored without proxies", remote: "10.0.0.1:5000", host: "pics.example.org", proto: "https", want: "http://pics.example.org"},
		{name: "trusted proxy's odd proto ignored", proxies: testProxies, remote: "10.0.0.1:5000", host: "pics.example.org", proto: "javascript", want: "http://pics.example.org"},
		{name: "empty Host", remote: "203.0.113.7:5000", host: "", want: "http://localhost"},
		{name: "Host with a slash", remote: "203.0.113.7:5000", host: "evil.example/x", want: "http://localhost"},
		{name: "Host with userinfo", remote: "203.0.113.7:5000", host: "user@evil.example", want: "http://localhost"},
		{name: "Host with a backslash", remote: "203.0.113.7:5000", host: `evil.example\x`, want: "http://localhost"},
		{name: "Host with a space", remote: "203.0.113.7:5000", host: "evil.example x", want: "http://localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			r.Host = tt.host
			r.TLS = nil
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			o := NewOrigin(tt.base, tt.proxies)
			if got := o.Base(r); got != tt.want {
				t.Errorf("Base() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOriginClientAddr(t *testing.T) {
	tests := []struct {
		name    string
		proxies []netip.Prefix
		remote  string
		xff     []string // X-Forwarded-For header values
		want    string
	}{
		{name: "no proxies: peer", remote: "203.0.113.7:5000", want: "203.0.113.7"},
		{name: "no proxies: forwarded-for ignored", remote: "10.0.0.1:5000", xff: []string{"198.51.100.1"}, want: "10.0.0.1"},
		{name: "untrusted peer's forwarded-for ignored", proxies: testProxies, remote: "203.0.113.7:5000", xff: []string{"198.51.100.1"}, want: "203.0.113.7"},
		{name: "trusted peer, one hop", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "trusted peer, no header", proxies: testProxies, remote: "10.0.0.1:5000", want: "10.0.0.1"},
		{name: "right-most untrusted hop", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{"192.0.2.66, 198.51.100.1, 10.0.0.2"}, want: "198.51.100.1"},
		{name: "spoofed left-most hop ignored", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{"1.1.1.1,198.51.100.1"}, want: "198.51.100.1"},
		{name: "several header lines", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{"192.0.2.66", "198.51.100.1, 10.0.0.3"}, want: "198.51.100.1"},
		{name: "every hop a proxy", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{"10.0.0.2, 10.0.0.3"}, want: "10.0.0.1"},
		{name: "garbage header", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{"nonsense"}, want: "10.0.0.1"},
		{name: "garbage right of a client", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{"198.51.100.1, garbage"}, want: "10.0.0.1"},
		{name: "hop with a port", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{"198.51.100.1:1234"}, want: "10.0.0.1"},
		{name: "empty header", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{""}, want: "10.0.0.1"},
		{name: "IPv6 peer", remote: "[2a00:1450::1]:443", want: "2a00:1450::1"},
		{name: "trusted IPv6 peer, IPv6 client", proxies: testProxies, remote: "[2001:db8::1]:443", xff: []string{"2a00:1450::1"}, want: "2a00:1450::1"},
		{name: "trusted IPv6 peer, IPv6 proxy hop skipped", proxies: testProxies, remote: "[2001:db8::1]:443", xff: []string{"2a00:1450::1, 2001:db8::2"}, want: "2a00:1450::1"},
		{name: "IPv4-mapped peer unmapped", remote: "[::ffff:203.0.113.7]:5000", want: "203.0.113.7"},
		{name: "IPv4-mapped peer is a trusted IPv4 proxy", proxies: testProxies, remote: "[::ffff:10.0.0.1]:5000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "IPv4-mapped hop unmapped", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{"::ffff:198.51.100.1"}, want: "198.51.100.1"},
		{name: "IPv4-mapped proxy hop skipped", proxies: testProxies, remote: "10.0.0.1:5000", xff: []string{"198.51.100.1, ::ffff:10.0.0.2"}, want: "198.51.100.1"},
		{name: "peer without a port", remote: "203.0.113.7", want: "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			got := NewOrigin(nil, tt.proxies).ClientAddr(r)
			if want := netip.MustParseAddr(tt.want); got != want {
				t.Errorf("ClientAddr() = %v, want %v", got, want)
			}
		})
	}
}
