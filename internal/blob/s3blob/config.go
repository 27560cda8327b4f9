package s3blob

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/chatpic/chatpic/internal/blob"
)

// DefaultRegion is the region a Config gets from ParseURL when the URL names
// none.
const DefaultRegion = "us-east-1"

// Config says which bucket a Store keeps its objects in and how to reach it.
// ParseURL fills every field but the credentials.
type Config struct {
	// Bucket is the bucket's name, by the current AWS rules (3 to 63 of
	// [a-z0-9.-]); it must exist, New does not create it.
	Bucket string
	// Endpoint is the server's base URL, "http://127.0.0.1:7070" or
	// "https://s3.amazonaws.com": the scheme decides TLS, and there is no
	// path, query or user.
	Endpoint string
	// Region signs requests; "" means DefaultRegion.
	Region string
	// PathStyle forces path-style requests (endpoint/bucket/key), which most
	// self-hosted servers want. If false, the client picks: virtual-host
	// style (bucket.endpoint/key) for AWS and Google, path style elsewhere.
	PathStyle bool
	// Prefix, if not "", puts every key under "Prefix/" in the bucket, so
	// that a bucket can hold other things, or several stores. It is shaped
	// like a key (see blob.ValidKey); one trailing '/' is allowed.
	Prefix string

	// AccessKey and SecretKey sign every request. They never come from the
	// URL, and this package does not read the environment: the caller fills
	// them, conventionally from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
	// Both empty means anonymous requests.
	AccessKey string
	SecretKey string
}

// ParseURL turns a store URL into a Config without credentials:
//
//	s3://BUCKET?endpoint=URL[&region=R][&path_style=true][&prefix=some/prefix]
//
// endpoint is required and is the server's base URL (http or https). region
// defaults to DefaultRegion; path_style is a boolean (strconv.ParseBool)
// that defaults to false; prefix is as Config.Prefix. Each parameter may
// appear once. It returns an error, in plain words, for another scheme, a
// missing or malformed bucket name, a path after the bucket, user
// information in the URL (credentials belong in Config, not in a URL that
// may end up in logs), a missing or bad endpoint, an unknown parameter, or a
// bad value.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the whole input in its error: keep only what is
		// wrong, in case the input holds a password anyway.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return Config{}, fmt.Errorf("s3blob: bad store URL: %v", err)
	}
	if u.Scheme != "s3" {
		return Config{}, fmt.Errorf("s3blob: store URL scheme is %q, want s3 (s3://BUCKET?endpoint=URL)", u.Scheme)
	}
	if u.User != nil {
		return Config{}, errors.New("s3blob: store URL holds user information; " +
			"pass credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead")
	}
	if u.Opaque != "" || u.Host == "" {
		return Config{}, errors.New("s3blob: store URL names no bucket (want s3://BUCKET?endpoint=URL)")
	}
	if u.Path != "" && u.Path != "/" {
		return Config{}, fmt.Errorf("s3blob: store URL has path %q after the bucket; use the prefix parameter to put keys under a folder", u.Path)
	}
	if u.Fragment != "" {
		return Config{}, errors.New("s3blob: store URL has a #fragment")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("s3blob: store URL query: %v", err)
	}

	cfg := Config{Bucket: u.Host, Region: DefaultRegion}
	for name, values := range q {
		if len(values) != 1 {
			return Config{}, fmt.Errorf("s3blob: store URL parameter %q given %d times, want once", name, len(values))
		}
		v := values[0]
		switch name {
		case "endpoint":
			cfg.Endpoint = v
		case "region":
			if v == "" {
				return Config{}, errors.New("s3blob: store URL parameter region is empty")
			}
			cfg.Region = v
		case "path_style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return Config{}, fmt.Errorf("s3blob: store URL parameter path_style is %q, want true or false", v)
			}
			cfg.PathStyle = b
		case "prefix":
			cfg.Prefix = v
		default:
			return Config{}, fmt.Errorf("s3blob: unknown store URL parameter %q (known: endpoint, region, path_style, prefix)", name)
		}
	}
	if cfg.Endpoint == "" {
		return Config{}, errors.New("s3blob: store URL has no endpoint parameter (s3://BUCKET?endpoint=https://s3.amazonaws.com, say)")
	}
	if _, err := cfg.check(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// endpoint is a checked Config.Endpoint, in the form minio-go takes.
type endpoint struct {
	host   string // host[:port]
	secure bool   // https
}

// check validates cfg, the credentials aside, and returns its parsed
// endpoint.
func (cfg Config) check() (endpoint, error) {
	if cfg.Bucket == "" {
		return endpoint{}, errors.New("s3blob: no bucket")
	}
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return endpoint{}, fmt.Errorf("s3blob: bucket name %q: %v", cfg.Bucket, err)
	}
	ep, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return endpoint{}, err
	}
	if p := strings.TrimSuffix(cfg.Prefix, "/"); cfg.Prefix != "" && blob.ValidKey(p) != nil {
		return endpoint{}, fmt.Errorf("s3blob: prefix %q is not key-shaped: "+
			"'/'-separated segments of [A-Za-z0-9._-], none starting with '.'", cfg.Prefix)
	}
	if (cfg.AccessKey == "") != (cfg.SecretKey == "") {
		return endpoint{}, errors.New("s3blob: an access key needs a secret key and the other way round")
	}
	return ep, nil
}

func parseEndpoint(raw string) (endpoint, error) {
	if raw == "" {
		return endpoint{}, errors.New("s3blob: no endpoint")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// Not echoed: a malformed URL may hold a password.
		return endpoint{}, errors.New("s3blob: endpoint is not a valid URL")
	}
	if u.User != nil {
		return endpoint{}, errors.New("s3blob: endpoint holds user information; " +
			"pass credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return endpoint{}, fmt.Errorf("s3blob: endpoint %q is not an http:// or https:// URL with a host", raw)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return endpoint{}, fmt.Errorf("s3blob: endpoint %q must be a bare base URL (scheme, host, port), without path or query", raw)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return endpoint{}, fmt.Errorf("s3blob: endpoint %q has a bad port", raw)
		}
	}
	return endpoint{host: u.Host, secure: u.Scheme == "https"}, nil
}

// keyPrefix returns what goes before every key in the bucket: "" or the
// prefix with one trailing '/'.
func (cfg Config) keyPrefix() string {
	if cfg.Prefix == "" {
		return ""
	}
	return strings.TrimSuffix(cfg.Prefix, "/") + "/"
}
