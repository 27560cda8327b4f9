package app

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// storedSecrets is a SecretSource over a map, standing in for what the
// database keeps.
type storedSecrets map[string][]byte

func (s storedSecrets) Secret(_ context.Context, name string, period int64, _ time.Time) ([]byte, error) {
	return s[name], nil
}

// TestPepperedSecrets checks that the keys used are not what the database
// keeps, that every instance with the same secret file derives the same
// ones, and that another secret file derives others.
func TestPepperedSecrets(t *testing.T) {
	db := storedSecrets{"day": bytes.Repeat([]byte{7}, 32), "client/24h0m0s": bytes.Repeat([]byte{9}, 32)}
	key := []byte("0123456789abcdef0123456789abcdef")
	a, b := pepperedSecrets{db, key}, pepperedSecrets{db, bytes.Clone(key)}
	other := pepperedSecrets{db, []byte("another operator key, 32 bytes..")}
	get := func(s pepperedSecrets, name string, period int64) []byte {
		v, err := s.Secret(context.Background(), name, period, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for name, stored := range db {
		ka := get(a, name, 20415)
		if bytes.Equal(ka, stored) {
			t.Errorf("%s: the key used is the one stored", name)
		}
		if !bytes.Equal(ka, get(b, name, 20415)) {
			t.Errorf("%s: two instances with one secret file derive different keys", name)
		}
		if bytes.Equal(ka, get(other, name, 20415)) {
			t.Errorf("%s: another secret file derives the same key", name)
		}
		if bytes.Equal(ka, get(a, name, 20416)) {
			t.Errorf("%s: two periods share a key", name)
		}
	}
}
