package chatpic_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayout checks the direction of imports (STYLE.md): the domain at the
// root imports nothing of chatpic; the use-cases and adapters know nothing
// of the web, the API, the server or the wiring; the pages and the API
// know nothing of the server or the wiring; and only the command wires a
// site, the test helpers aside.
func TestLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/chatpic/chatpic"
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(f[0], mod), "/")
		for _, imp := range f[1:] {
			if imp == mod || strings.HasPrefix(imp, mod+"/") {
				imports[pkg] = append(imports[pkg], strings.TrimPrefix(strings.TrimPrefix(imp, mod), "/"))
			}
		}
	}
	if len(imports) < 10 {
		t.Fatalf("go list found %d packages that import others of chatpic; the walk is broken", len(imports))
	}
	rules := []struct {
		who   func(pkg string) bool
		never []string
		why   string
	}{
		{func(p string) bool { return p == "" }, []string{""}, "the domain is pure"},
		{inside("internal/posting", "internal/moderation", "internal/janitor", "internal/events", "internal/media",
			"internal/sqlstore", "internal/blob", "internal/heif", "internal/video", "internal/codecs", "internal/worker"),
			[]string{"internal/web", "internal/api", "internal/server", "internal/app", "internal/request", "cmd"},
			"use-cases and adapters know nothing of HTTP or of the wiring"},
		{inside("internal/web", "internal/api"), []string{"internal/server", "internal/app", "internal/storage", "cmd"},
			"a surface is handed its use-cases"},
		{func(p string) bool {
			return p != "cmd/chatpic" && !strings.HasPrefix(p, "internal/app") && !strings.HasPrefix(p, "bench")
		},
			[]string{"internal/app"}, "only the command wires a site"},
	}
	for pkg, deps := range imports {
		for _, r := range rules {
			if !r.who(pkg) {
				continue
			}
			for _, d := range deps {
				for _, n := range r.never {
					if d == n || n != "" && strings.HasPrefix(d, n+"/") || n == "" && pkg == "" {
						t.Errorf("%s imports %s: %s", name(pkg), name(d), r.why)
					}
				}
			}
		}
	}
}

// inside returns whether a package is one of roots or below one.
func inside(roots ...string) func(string) bool {
	return func(p string) bool {
		for _, r := range roots {
			if p == r || strings.HasPrefix(p, r+"/") {
				return true
			}
		}
		return false
	}
}

func name(pkg string) string {
	if pkg == "" {
		return "the root package"
	}
	return pkg
}
