package chatpic

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"
)

// auditTargets writes out every stored audit action, which is a contract,
// with what its entries' Target names.
var auditTargets = []struct {
	action  AuditAction
	target  TargetKind
	removal bool
}{
	{"remove_post", TargetPost, true},
	{"remove_file", TargetFile, true},
	{"restore_post", TargetPost, false},
	{"ban_hashes", TargetFile, false},
	{"remove_comment", TargetComment, true},
	{"restore_comment", TargetComment, false},
	{"ban_poster", TargetPoster, false},
	{"add_channel", TargetChannel, false},
	{"edit_channel", TargetChannel, false},
	{"lock_channel", TargetChannel, false},
	{"unlock_channel", TargetChannel, false},
	{"remove_channel", TargetChannel, false},
	{"import_hashes", TargetHashList, false},
	{"add_moderator", TargetModerator, false},
	{"add_admin", TargetModerator, false},
	{"remove_moderator", TargetModerator, false},
	{"new_token", TargetModerator, false},
}

func TestAuditActionTarget(t *testing.T) {
	for _, tt := range auditTargets {
		if got := tt.action.Target(); got != tt.target {
			t.Errorf("%q.Target() = %q, want %q", tt.action, got, tt.target)
		}
		if got := tt.action.Removal(); got != tt.removal {
			t.Errorf("%q.Removal() = %v, want %v", tt.action, got, tt.removal)
		}
	}
	for _, a := range []AuditAction{"", "remove_everything", "REMOVE_POST", "remove_post "} {
		if got := a.Target(); got != TargetNone {
			t.Errorf("%q.Target() = %q, want TargetNone", a, got)
		}
	}
}

// TestEveryAuditActionHasATarget reads the AuditAction constants from
// audit.go, so that one added there but forgotten in Target, AuditActions
// or the table above fails here.
func TestEveryAuditActionHasATarget(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "audit.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []AuditAction
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "AuditAction" {
				continue
			}
			for _, e := range v.Values {
				s, err := strconv.Unquote(e.(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				consts = append(consts, AuditAction(s))
			}
		}
	}
	if len(consts) == 0 {
		t.Fatal("found no AuditAction constants in audit.go")
	}
	listed := AuditActions()
	inTable := map[AuditAction]bool{}
	for _, tt := range auditTargets {
		inTable[tt.action] = true
	}
	for _, a := range consts {
		if a.Target() == TargetNone {
			t.Errorf("%q has no target kind", a)
		}
		if !slices.Contains(listed, a) {
			t.Errorf("AuditActions leaves out %q", a)
		}
		if !inTable[a] {
			t.Errorf("the table in audit_test.go leaves out %q", a)
		}
	}
	if len(listed) != len(consts) {
		t.Errorf("AuditActions has %d actions, audit.go declares %d", len(listed), len(consts))
	}
}
