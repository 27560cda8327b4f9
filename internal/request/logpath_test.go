package request

import (
	"net/http/httptest"
	"testing"
)

func TestLogPath(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/d/AAAA/secret-token", "/d/AAAA/-"},
		{"/d/AAAA/secret/more", "/d/AAAA/-"},
		{"/d/AAAA", "/d/AAAA"},
		{"/p/AAAA/delete", "/p/AAAA/delete"},
		{"/dd/AAAA/x", "/dd/AAAA/x"},
		{"/share/1764000000-secret", "/share/-"},
		{"/share/1764000000-secret/file", "/share/-/file"},
		{"/share", "/share"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := LogPath(httptest.NewRequest("GET", tt.path, nil)); got != tt.want {
				t.Fatalf("LogPath = %q, want %q", got, tt.want)
			}
		})
	}
}
