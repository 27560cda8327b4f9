package s3blob_test

import (
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/blob/s3blob"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want s3blob.Config
	}{
		{"local server, path style", "s3://media?endpoint=http://127.0.0.1:7070&path_style=true",
			s3blob.Config{Bucket: "media", Endpoint: "http://127.0.0.1:7070", Region: "us-east-1", PathStyle: true}},
		{"AWS with region", "s3://chatpic-media?endpoint=https://s3.amazonaws.com&region=eu-central-1",
			s3blob.Config{Bucket: "chatpic-media", Endpoint: "https://s3.amazonaws.com", Region: "eu-central-1"}},
		{"escaped endpoint", "s3://media?endpoint=https%3A%2F%2Fs3.example.com%3A9000",
			s3blob.Config{Bucket: "media", Endpoint: "https://s3.example.com:9000", Region: "us-east-1"}},
		{"endpoint with a trailing slash", "s3://media?endpoint=https://s3.example.com/",
			s3blob.Config{Bucket: "media", Endpoint: "https://s3.example.com/", Region: "us-east-1"}},
		{"prefix", "s3://media?endpoint=https://s3.example.com&prefix=chatpic/prod",
			s3blob.Config{Bucket: "media", Endpoint: "https://s3.example.com", Region: "us-east-1", Prefix: "chatpic/prod"}},
		{"prefix with a trailing slash", "s3://media?endpoint=https://s3.example.com&prefix=chatpic/",
			s3blob.Config{Bucket: "media", Endpoint: "https://s3.example.com", Region: "us-east-1", Prefix: "chatpic/"}},
		{"path_style false", "s3://media?endpoint=https://s3.example.com&path_style=false",
			s3blob.Config{Bucket: "media", Endpoint: "https://s3.example.com", Region: "us-east-1"}},
		{"path_style 1", "s3://media?endpoint=https://s3.example.com&path_style=1",
			s3blob.Config{Bucket: "media", Endpoint: "https://s3.example.com", Region: "us-east-1", PathStyle: true}},
		{"slash after the bucket", "s3://media/?endpoint=https://s3.example.com",
			s3blob.Config{Bucket: "media", Endpoint: "https://s3.example.com", Region: "us-east-1"}},
		{"dotted bucket", "s3://media.example.org?endpoint=https://s3.example.com",
			s3blob.Config{Bucket: "media.example.org", Endpoint: "https://s3.example.com", Region: "us-east-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s3blob.ParseURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("ParseURL(%q) =\n%+v, want\n%+v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		wantErr string // a part of the message
	}{
		{"empty", "", "scheme"},
		{"another scheme", "https://media?endpoint=https://s3.example.com", `scheme is "https"`},
		{"no bucket", "s3://?endpoint=https://s3.example.com", "no bucket"},
		{"no bucket, no slashes", "s3:media?endpoint=https://s3.example.com", "no bucket"},
		{"bad bucket name", "s3://Media_Bucket!?endpoint=https://s3.example.com", "bucket name"},
		{"bucket with a port", "s3://media:9000?endpoint=https://s3.example.com", "bucket name"},
		{"path after the bucket", "s3://media/photos?endpoint=https://s3.example.com", "prefix parameter"},
		{"credentials in the URL", "s3://key:secret@media?endpoint=https://s3.example.com", "AWS_ACCESS_KEY_ID"},
		{"fragment", "s3://media?endpoint=https://s3.example.com#x", "fragment"},
		{"no endpoint", "s3://media", "no endpoint"},
		{"empty endpoint", "s3://media?endpoint=", "no endpoint"},
		{"endpoint without scheme", "s3://media?endpoint=s3.example.com", "http:// or https://"},
		{"endpoint with another scheme", "s3://media?endpoint=ftp://s3.example.com", "http:// or https://"},
		{"endpoint without host", "s3://media?endpoint=http://", "http:// or https://"},
		{"endpoint with a path", "s3://media?endpoint=https://s3.example.com/media", "bare base URL"},
		{"endpoint with a query", "s3://media?endpoint=https://s3.example.com%3Fx%3D1", "bare base URL"},
		{"endpoint with credentials", "s3://media?endpoint=https://key:secret@s3.example.com", "user information"},
		{"endpoint with a bad port", "s3://media?endpoint=http://127.0.0.1:99999", "bad port"},
		{"endpoint not a URL", "s3://media?endpoint=http://[::1", "not a valid URL"},
		{"unknown parameter", "s3://media?endpoint=https://s3.example.com&acl=public", `unknown store URL parameter "acl"`},
		{"misspelt parameter", "s3://media?endpoint=https://s3.example.com&pathstyle=true", `unknown store URL parameter "pathstyle"`},
		{"parameter twice", "s3://media?endpoint=https://a.example.com&endpoint=https://b.example.com", "given 2 times"},
		{"empty region", "s3://media?endpoint=https://s3.example.com&region=", "region is empty"},
		{"bad path_style", "s3://media?endpoint=https://s3.example.com&path_style=yes", "path_style"},
		{"prefix with a leading slash", "s3://media?endpoint=https://s3.example.com&prefix=/chatpic", "not key-shaped"},
		{"prefix with a dot segment", "s3://media?endpoint=https://s3.example.com&prefix=a/../b", "not key-shaped"},
		{"bad query escape", "s3://media?endpoint=%zz", "query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s3blob.ParseURL(tt.raw)
			if err == nil {
				t.Fatalf("ParseURL(%q) = %+v, want an error", tt.raw, got)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseURL(%q) error = %q, want it to mention %q", tt.raw, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("ParseURL(%q) error = %q echoes a credential", tt.raw, err)
			}
		})
	}
}

// TestNewRejectsBadConfig checks that New validates a hand-made Config as
// ParseURL does, before any request.
func TestNewRejectsBadConfig(t *testing.T) {
	good := s3blob.Config{Bucket: "media", Endpoint: "http://127.0.0.1:1"}
	tests := []struct {
		name   string
		change func(*s3blob.Config)
	}{
		{"no bucket", func(c *s3blob.Config) { c.Bucket = "" }},
		{"no endpoint", func(c *s3blob.Config) { c.Endpoint = "" }},
		{"endpoint without scheme", func(c *s3blob.Config) { c.Endpoint = "127.0.0.1:7070" }},
		{"bad prefix", func(c *s3blob.Config) { c.Prefix = "a//b" }},
		{"access key without secret", func(c *s3blob.Config) { c.AccessKey = "key" }},
		{"secret without access key", func(c *s3blob.Config) { c.SecretKey = "secret" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			s, err := s3blob.New(t.Context(), cfg)
			if err == nil {
				t.Fatalf("New(%+v) = %v, want an error", cfg, s)
			}
			if strings.Contains(err.Error(), "connection refused") {
				t.Errorf("New(%+v) = %v: it made a request before checking the Config", cfg, err)
			}
		})
	}
}
