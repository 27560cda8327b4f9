package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestOpenAPIServers: the served document names the site's public address
// as its one server when it is configured, and is otherwise the embedded
// document as it is; nothing else differs.
func TestOpenAPIServers(t *testing.T) {
	tests := []struct {
		base, want string
	}{
		{"", "/"},
		{"https://pics.example.org", "https://pics.example.org"},
		{"https://example.org/pics", "https://example.org/pics"},
	}
	var embedded map[string]any
	if err := json.Unmarshal(openAPI, &embedded); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			e, err := openAPIEntry(tt.base)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(e.Body, &doc); err != nil {
				t.Fatal(err)
			}
			servers := []any{map[string]any{"url": tt.want}}
			if !reflect.DeepEqual(doc["servers"], servers) {
				t.Errorf("servers %v, want %v", doc["servers"], servers)
			}
			delete(doc, "servers")
			rest := map[string]any{}
			for k, v := range embedded {
				if k != "servers" {
					rest[k] = v
				}
			}
			if !reflect.DeepEqual(doc, rest) {
				t.Error("the served document differs from the embedded one beyond its servers")
			}
		})
	}
}
