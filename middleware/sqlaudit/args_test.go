package sqlaudit_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware/sqlaudit"
)

// withValue returns arg with its value replaced by v, keeping its name.
func withValue(arg any, v string) any {
	if n, ok := arg.(sql.NamedArg); ok {
		n.Value = v
		return n
	}
	return v
}

// testArgs checks WithArgs on backend b: a password given as an argument
// never reaches a line, whichever way it is passed.
func testArgs(t *testing.T, b *backend) {
	ctx := context.Background()
	secret := "hunter2-" + uniqueTable()
	update := fmt.Sprintf("UPDATE %s SET v = %s WHERE k = %s", b.table, b.ph(1), b.ph(2))

	// run makes one exec with args through a pool opened with c, checks
	// its lines, and returns the args of the exec line. args[0] stands
	// for the password: run gives it a value of its own, secret and the
	// test's name, because MySQL counts only the rows an UPDATE changes.
	run := func(t *testing.T, c rigConfig, query string, args ...any) []any {
		t.Helper()
		r := b.open(t, c)
		args[0] = withValue(args[0], secret+"-"+t.Name())
		if _, err := r.db.ExecContext(ctx, query, args...); err != nil {
			t.Fatal(err)
		}
		lines := b.expect(t, r, b.call(ok("exec", query).affects(1)))
		if s := r.rec.String(); strings.Contains(s, secret) {
			t.Errorf("the password reached a line:\n%s", s)
		}
		if b.argsPrepare {
			if _, has := lines[0]["attrs"]; has {
				t.Errorf("prepare line has attrs: %v", lines[0]["attrs"])
			}
		}
		attrs, _ := lines[len(lines)-1]["attrs"].(map[string]any)
		got, _ := attrs["args"].([]any)
		return got
	}
	check := func(t *testing.T, got []any, want ...any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("args = %#v, want %#v", got, want)
		}
	}
	withArgs := sqlaudit.WithArgs(true)

	t.Run("positional masked", func(t *testing.T) {
		got := run(t, rigConfig{opts: []sqlaudit.Option{withArgs}}, update, "", "k2")
		check(t, got, auditlog.Masked, auditlog.Masked)
	})

	t.Run("positional revealed by redactor", func(t *testing.T) {
		reveal2 := sqlaudit.WithArgRedactor(func(ordinal int, _ string, v any) any {
			if ordinal == 2 {
				return v
			}
			return auditlog.Masked
		})
		got := run(t, rigConfig{opts: []sqlaudit.Option{withArgs, reveal2}}, update, "", "k2")
		check(t, got, auditlog.Masked, "k2")
	})

	if b.named == nil {
		return // the driver refuses sql.Named
	}
	named := fmt.Sprintf("UPDATE %s SET v = %s WHERE k = %s", b.table, b.named("password", 1), b.named("key", 2))

	t.Run("named by key", func(t *testing.T) {
		got := run(t, rigConfig{opts: []sqlaudit.Option{withArgs}}, named, sql.Named("password", ""), sql.Named("key", "k2"))
		check(t, got, map[string]any{"password": auditlog.Masked}, map[string]any{"key": "k2"})
	})

	t.Run("named hashed and not revealable", func(t *testing.T) {
		// A redactor that reveals everything cannot reveal a value whose
		// name the handler deems sensitive: the handler's rule, here
		// hashing, still applies.
		revealAll := sqlaudit.WithArgRedactor(func(_ int, _ string, v any) any { return v })
		red := &auditlog.Redaction{Mode: auditlog.RedactHash, Salt: []byte("test salt")}
		got := run(t, rigConfig{opts: []sqlaudit.Option{withArgs, revealAll}, redaction: red},
			named, sql.Named("password", ""), sql.Named("key", "k2"))
		check(t, got, map[string]any{"password": red.Hash(secret + "-" + t.Name())}, map[string]any{"key": "k2"})
	})
}
