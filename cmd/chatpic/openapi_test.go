package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chatpic/chatpic/internal/api/openapitest"
)

// apiClient returns an HTTP client that checks every answer it gets from
// a path under /api/ against the API's OpenAPI document, failing t on a
// drift (see openapitest.Transport).
func apiClient(t testing.TB) *http.Client {
	return &http.Client{Transport: openapitest.Transport(t, nil)}
}

// TestOpenAPIServers: the served document names the site's public address
// as its server when there is one (--base-url), and "/" otherwise, so that
// a client generated from it calls the right place.
func TestOpenAPIServers(t *testing.T) {
	tests := []struct {
		name  string
		flags []string
		want  string
	}{
		{"without --base-url", nil, "/"},
		{"with --base-url", []string{"--base-url", "https://pics.example.org"}, "https://pics.example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := start(t, tt.flags...)
			r := in.get("/api/v1/openapi.json")
			if r.status != http.StatusOK || r.header.Get("ETag") == "" {
				t.Fatalf("GET /api/v1/openapi.json: %d, ETag %q", r.status, r.header.Get("ETag"))
			}
			var doc struct {
				OpenAPI string `json:"openapi"`
				Servers []struct {
					URL string `json:"url"`
				} `json:"servers"`
				Paths map[string]any `json:"paths"`
			}
			if err := json.Unmarshal(r.body, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != tt.want || len(doc.Paths) < 20 {
				t.Fatalf("openapi %q, servers %+v, %d paths; want 3.1.0, %q and every path", doc.OpenAPI, doc.Servers, len(doc.Paths), tt.want)
			}
		})
	}
}
