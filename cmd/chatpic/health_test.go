package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthURL(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"", "http://127.0.0.1:8080/healthz"},
		{":9000", "http://127.0.0.1:9000/healthz"},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/healthz"},
		{"[::]:8080", "http://127.0.0.1:8080/healthz"},
		{"127.0.0.2:81", "http://127.0.0.2:81/healthz"},
		{"[::1]:8080", "http://[::1]:8080/healthz"},
		{"pics.internal:8080", "http://pics.internal:8080/healthz"},
	}
	for _, tt := range tests {
		if got := healthURL(tt.addr); got != tt.want {
			t.Errorf("healthURL(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestHealthCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Write([]byte("ok\n"))
			return
		}
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name    string
		getenv  func(string) string
		args    []string
		wantErr string
	}{
		{"healthy, address from CHATPIC_ADDR", func(k string) string {
			if k == "CHATPIC_ADDR" {
				return addr
			}
			return ""
		}, nil, ""},
		{"healthy, explicit URL", func(string) string { return "" }, []string{"--url", srv.URL + "/healthz"}, ""},
		{"unhealthy answer fails", func(string) string { return "" }, []string{"--url", srv.URL + "/readyz"}, "503"},
		{"no server fails", func(string) string { return "" }, []string{"--url", "http://127.0.0.1:1/healthz"}, "health:"},
		{"a stray argument fails", func(string) string { return "" }, []string{"--url", srv.URL + "/healthz", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCLI(t, tt.getenv, append([]string{"health"}, tt.args...)...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(out, "200 OK ok") {
				t.Fatalf("output %q, error %v; want 200 OK ok", out, err)
			}
		})
	}
}
