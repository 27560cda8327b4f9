package password

import (
	"strings"
	"testing"
)

func TestPasswords(t *testing.T) {
	h := Hash("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q is not argon2id in PHC form", h)
	}
	if h == Hash("correct horse battery") {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name, hash, password string
		want                 bool
	}{
		{"the right password", h, "correct horse battery", true},
		{"a wrong password", h, "correct horse battery!", false},
		{"empty", h, "", false},
		{"a malformed hash", "$argon2id$v=19$m=1$x$y", "correct horse battery", false},
		{"another algorithm", strings.Replace(h, "argon2id", "argon2i", 1), "correct horse battery", false},
		{"absurd memory", strings.Replace(h, "m=65536", "m=99999999", 1), "correct horse battery", false},
		{"nothing", "", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Check(tt.hash, tt.password); got != tt.want {
				t.Fatalf("Check = %v, want %v", got, tt.want)
			}
		})
	}
}
