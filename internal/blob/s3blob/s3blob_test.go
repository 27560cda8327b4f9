package s3blob_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/blob/blobtest"
	"github.com/chatpic/chatpic/internal/blob/s3blob"
)

// The tests run against the real S3 server at CHATPIC_TEST_S3 (.ci/s3-start
// starts one), in one bucket made for the run and removed after it. Each
// store gets a prefix of its own in it; the tests do not run in parallel.
const skipMessage = "CHATPIC_TEST_S3 not set: S3 suite skipped; .ci/s3-start starts versitygw"

// bucket is the run's bucket, "" when there is no server to test against.
// TestMain sets it before any test runs and never again.
var bucket string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("CHATPIC_TEST_S3") == "" {
		return m.Run() // the tests that need a server skip
	}
	ctx := context.Background()
	c, err := admin()
	if err != nil {
		fmt.Fprintln(os.Stderr, "s3blob tests:", err)
		return 1
	}
	bucket = "chatpic-test-" + strings.ToLower(rand.Text())[:20]
	if err := c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
		fmt.Fprintf(os.Stderr, "s3blob tests: making bucket %s on %s: %v\n", bucket, os.Getenv("CHATPIC_TEST_S3"), err)
		return 1
	}
	code := m.Run()
	if err := removeAll(ctx, c, ""); err == nil {
		err = c.RemoveBucket(ctx, bucket)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "s3blob tests: removing bucket %s: %v\n", bucket, err)
		code = max(code, 1)
	}
	return code
}

// serverConfig returns the Config of the test server, without bucket.
func serverConfig() s3blob.Config {
	return s3blob.Config{
		Endpoint:  os.Getenv("CHATPIC_TEST_S3"),
		PathStyle: true,
		AccessKey: os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
	}
}

// testConfig returns the Config of a store in the run's bucket under
// prefix, or skips t if there is no server.
func testConfig(t *testing.T, prefix string) s3blob.Config {
	t.Helper()
	if bucket == "" {
		t.Skip(skipMessage)
	}
	cfg := serverConfig()
	cfg.Bucket = bucket
	cfg.Prefix = prefix
	return cfg
}

// newStore returns a store in the run's bucket under prefix ("" for the
// whole bucket), emptied first; what it holds is removed when t ends.
func newStore(t *testing.T, prefix string) *s3blob.Store {
	t.Helper()
	cfg := testConfig(t, prefix)
	c := adminClient(t)
	if err := removeAll(t.Context(), c, prefix); err != nil {
		t.Fatalf("emptying %q: %v", prefix, err)
	}
	s, err := s3blob.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	t.Cleanup(func() {
		// t.Context() is done by now.
		if err := removeAll(context.Background(), c, prefix); err != nil {
			t.Errorf("emptying %q: %v", prefix, err)
		}
	})
	return s
}

// uniquePrefix returns a store prefix no other store of the run has.
func uniquePrefix() string {
	return "stores/" + strings.ToLower(rand.Text())[:12]
}

func TestConformance(t *testing.T) {
	testConfig(t, "") // skips without a server
	t.Run("whole bucket", func(t *testing.T) {
		blobtest.Run(t, func(t *testing.T) blob.Store {
			return newStore(t, "")
		})
	})
	t.Run("under a prefix", func(t *testing.T) {
		blobtest.Run(t, func(t *testing.T) blob.Store {
			prefix := uniquePrefix()
			s := newStore(t, prefix)
			// Neighbours that share the prefix's text but are not under
			// "prefix/": the store must never see them.
			c := adminClient(t)
			for _, name := range []string{prefix + "x/media/a.jpg", prefix + ".jpg", prefix + "-media/a.jpg"} {
				putRaw(t, c, name, "neighbour")
				t.Cleanup(func() { c.RemoveObject(context.Background(), bucket, name, minio.RemoveObjectOptions{}) })
			}
			return s
		})
	})
}

func TestNewChecksBucket(t *testing.T) {
	cfg := testConfig(t, "")
	tests := []struct {
		name   string
		change func(*s3blob.Config)
	}{
		{"missing bucket", func(c *s3blob.Config) { c.Bucket = "chatpic-no-such-bucket-" + strings.ToLower(rand.Text())[:8] }},
		{"wrong secret key", func(c *s3blob.Config) { c.SecretKey += "-wrong" }},
		{"nothing listening", func(c *s3blob.Config) { c.Endpoint = "http://127.0.0.1:1" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := cfg
			tt.change(&cfg)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if s, err := s3blob.New(ctx, cfg); err == nil {
				t.Errorf("New = %v, nil; want an error", s)
			}
		})
	}
}

func TestPingCancelled(t *testing.T) {
	s := newStore(t, uniquePrefix())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Ping(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Ping = %v, want context.Canceled", err)
	}
}

// admin returns a client for setting up and inspecting the server behind
// the stores' backs.
func admin() (*minio.Client, error) {
	cfg := serverConfig()
	host, secure := strings.CutPrefix(cfg.Endpoint, "https://")
	host = strings.TrimPrefix(host, "http://")
	return minio.New(host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       secure,
		Region:       s3blob.DefaultRegion,
		BucketLookup: minio.BucketLookupPath,
	})
}

func adminClient(t *testing.T) *minio.Client {
	t.Helper()
	c, err := admin()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// putRaw stores data under the object name (not a key: no prefix added).
func putRaw(t *testing.T, c *minio.Client, name, data string) {
	t.Helper()
	if _, err := c.PutObject(t.Context(), bucket, name, strings.NewReader(data), int64(len(data)), minio.PutObjectOptions{}); err != nil {
		t.Fatalf("putting %q: %v", name, err)
	}
}

// removeAll removes every object and incomplete upload whose name starts
// with prefix (a store prefix, so "" or a folder without its '/').
func removeAll(ctx context.Context, c *minio.Client, prefix string) error {
	if prefix != "" {
		prefix += "/"
	}
	var errs []error
	for oi := range c.ListObjectsIter(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return oi.Err
		}
		if err := c.RemoveObject(ctx, bucket, oi.Key, minio.RemoveObjectOptions{}); err != nil {
			errs = append(errs, err)
		}
	}
	for up := range c.ListIncompleteUploads(ctx, bucket, prefix, true) {
		if up.Err != nil {
			return up.Err
		}
		if err := c.RemoveIncompleteUpload(ctx, bucket, up.Key); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// incompleteUploads returns the names of the multipart uploads started and
// neither completed nor aborted under prefix.
func incompleteUploads(t *testing.T, prefix string) []string {
	t.Helper()
	var names []string
	for up := range adminClient(t).ListIncompleteUploads(t.Context(), bucket, prefix, true) {
		if up.Err != nil {
			t.Fatalf("listing incomplete uploads: %v", up.Err)
		}
		names = append(names, up.Key)
	}
	return names
}
