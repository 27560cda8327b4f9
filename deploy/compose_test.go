// Package deploy holds the files that deploy chatpic (a container image, a
// compose set-up, a systemd unit) and the tests that check them.
package deploy

import (
	"flag"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/config"
	"go.yaml.in/yaml/v3"
)

// composeFile is the part of the compose specification the checks read.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Secrets     []string          `yaml:"secrets"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Networks yaml.Node `yaml:"networks"`
	} `yaml:"services"`
	Secrets map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
	Volumes map[string]any `yaml:"volumes"`
}

// interpolation is compose's ${VAR}, ${VAR:-default} and ${VAR:?error}.
var interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}`)

func readCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	// Variables from .env become placeholders, so URLs parse.
	for _, s := range c.Services {
		for k, v := range s.Environment {
			s.Environment[k] = interpolation.ReplaceAllString(v, "x")
		}
	}
	return c
}

// configEnv returns the variables internal/config reads: it reads each
// option's variable before it validates anything, so a getenv that only
// takes names sees them all.
func configEnv(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	set := config.NewSet(flag.NewFlagSet("compose", flag.ContinueOnError), func(k string) string {
		names[k] = true
		return ""
	}, true)
	set.Config() // its errors do not matter: only the names asked for do
	if !names["CHATPIC_DB"] || !names["CHATPIC_ADDR"] {
		t.Fatalf("internal/config read %d variables, not CHATPIC_DB and CHATPIC_ADDR", len(names))
	}
	return names
}

func TestComposeInstances(t *testing.T) {
	c := readCompose(t)
	known := configEnv(t)
	img, err := os.ReadFile("build-image.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"chatpic1", "chatpic2"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("no service %s", name)
		}
		if s.Image == "" || !strings.Contains(string(img), "tag=${1:-"+s.Image+"}") {
			t.Errorf("%s: image %q is not the one deploy/build-image.sh builds", name, s.Image)
		}
		env := s.Environment
		for k := range env {
			if strings.HasPrefix(k, "CHATPIC_") && !known[k] {
				t.Errorf("%s: %s is not a variable internal/config reads", name, k)
			}
		}
		db, err := url.Parse(env["CHATPIC_DB"])
		if err != nil || db.Scheme != "postgres" || db.Hostname() != "postgres" || c.Services["postgres"].Image == "" {
			t.Errorf("%s: CHATPIC_DB %q does not point at the postgres service (%v)", name, env["CHATPIC_DB"], err)
		}
		blobs, err := url.Parse(env["CHATPIC_BLOBS"])
		if err != nil || blobs.Scheme != "s3" || blobs.Host == "" {
			t.Fatalf("%s: CHATPIC_BLOBS %q is no s3:// URL (%v)", name, env["CHATPIC_BLOBS"], err)
		}
		endpoint, err := url.Parse(blobs.Query().Get("endpoint"))
		if err != nil || c.Services[endpoint.Hostname()].Image == "" || blobs.Query().Get("region") == "" {
			t.Errorf("%s: CHATPIC_BLOBS %q: the endpoint is no service of the file, or no region", name, env["CHATPIC_BLOBS"])
		}
		if env["AWS_ACCESS_KEY_ID"] == "" || env["AWS_SECRET_ACCESS_KEY"] == "" {
			t.Errorf("%s: no S3 credentials", name)
		}
		secret, ok := strings.CutPrefix(env["CHATPIC_SECRET_FILE"], "/run/secrets/")
		if !ok || !slices.Contains(s.Secrets, secret) || c.Secrets[secret].File == "" {
			t.Errorf("%s: CHATPIC_SECRET_FILE %q is not a secret the service is given", name, env["CHATPIC_SECRET_FILE"])
		}
		if !slices.Contains(s.Volumes, name+"-data:"+env["CHATPIC_DATA"]) {
			t.Errorf("%s: no volume of its own at CHATPIC_DATA %q: %v", name, env["CHATPIC_DATA"], s.Volumes)
		}
		if s.Healthcheck == nil || !slices.Equal(s.Healthcheck.Test, []string{"CMD", "/chatpic", "health"}) {
			t.Errorf("%s: health check is not chatpic health", name)
		}
		if _, ok := s.DependsOn["postgres"]; !ok {
			t.Errorf("%s: does not wait for postgres", name)
		}
		if _, port, err := net.SplitHostPort(env["CHATPIC_ADDR"]); err != nil || port != "8080" {
			t.Errorf("%s: CHATPIC_ADDR %q is not port 8080, which the Caddyfile proxies to", name, env["CHATPIC_ADDR"])
		}
		caddyIP := caddyAddress(t, c)
		_, trusted, err := net.ParseCIDR(env["CHATPIC_TRUSTED_PROXIES"])
		if err != nil || !trusted.Contains(caddyIP) {
			t.Errorf("%s: CHATPIC_TRUSTED_PROXIES %q does not hold Caddy's address %v", name, env["CHATPIC_TRUSTED_PROXIES"], caddyIP)
		}
	}
}

// caddyAddress returns the fixed address of the caddy service.
func caddyAddress(t *testing.T, c composeFile) net.IP {
	t.Helper()
	var nets map[string]struct {
		IPv4 string `yaml:"ipv4_address"`
	}
	node := c.Services["caddy"].Networks
	if err := node.Decode(&nets); err != nil {
		t.Fatalf("caddy's networks: %v", err)
	}
	for _, n := range nets {
		if ip := net.ParseIP(n.IPv4); ip != nil {
			return ip
		}
	}
	t.Fatal("caddy has no fixed address")
	return nil
}

func TestComposeServices(t *testing.T) {
	c := readCompose(t)
	for _, name := range []string{"postgres", "s3", "caddy", "chatpic1", "chatpic2"} {
		if c.Services[name].Image == "" {
			t.Errorf("no service %s with an image", name)
		}
	}
	for _, name := range []string{"postgres", "s3"} {
		if c.Services[name].Healthcheck == nil {
			t.Errorf("%s has no health check", name)
		}
	}
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				if _, err := os.Stat(src); err != nil && src != "./chatpic-secret" {
					t.Errorf("%s mounts %s, which is not in deploy/", name, src)
				}
				continue
			}
			if _, ok := c.Volumes[src]; !ok {
				t.Errorf("%s uses volume %s, which is not declared", name, src)
			}
		}
	}
	if !slices.Contains(c.Services["caddy"].Volumes, "./Caddyfile:/etc/caddy/Caddyfile:ro") {
		t.Error("caddy does not mount deploy/Caddyfile")
	}
	caddyfile, err := os.ReadFile("Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*reverse_proxy\s+([^{\n]+)`).FindStringSubmatch(string(caddyfile))
	if m == nil {
		t.Fatal("the Caddyfile has no reverse_proxy")
	}
	upstreams := strings.Fields(m[1])
	for _, want := range []string{"chatpic1:8080", "chatpic2:8080"} {
		if !slices.Contains(upstreams, want) {
			t.Errorf("Caddy does not proxy to %s: %v", want, upstreams)
		}
	}
}

func TestContainerfile(t *testing.T) {
	b, err := os.ReadFile("Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"FROM scratch", "USER 65532:65532", "VOLUME /data", "CHATPIC_DATA=/data",
		`CMD ["/chatpic", "health"]`, "/etc/ssl/certs/ca-certificates.crt", `ENTRYPOINT ["/chatpic"]`} {
		if !strings.Contains(s, want) {
			t.Errorf("the Containerfile lacks %q", want)
		}
	}
}
