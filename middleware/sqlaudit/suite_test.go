package sqlaudit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/sqlaudit"
)

// rig is one pool opened through the wrapper, writing to a Recorder that
// checks every line against the schema.
type rig struct {
	rec *auditlogtest.Recorder
	sw  *auditlog.Switches
	db  *sql.DB
}

type rigConfig struct {
	opts      []sqlaudit.Option
	redaction *auditlog.Redaction
	// maxOpen caps the pool; 0 means 1, so that a test's calls share one
	// connection and the lines are exactly predictable (no second
	// connection re-preparing a statement).
	maxOpen int
}

func (b *backend) open(t *testing.T, c rigConfig) *rig {
	t.Helper()
	rec := auditlogtest.NewRecorder(t)
	sw := auditlog.AllSwitches()
	h := auditlog.NewHandler(rec, &auditlog.Options{
		Service:   "sqlaudit-test",
		Switches:  &sw,
		Redaction: c.redaction,
		Sequence:  new(auditlog.Sequence),
	})
	db, err := sqlaudit.Open(b.driver, b.dsn, middleware.NewReporter(h), c.opts...)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(max(c.maxOpen, 1))
	t.Cleanup(func() { db.Close() })
	return &rig{rec: rec, sw: &sw, db: db}
}

// want is what a test expects of one line. Empty strings are not checked,
// except that tx "-" means the line must have no transaction id.
type want struct {
	method, statement string
	level, outcome    string // default INFO, success
	rows              int64  // rows_affected; noRows means absent, anyRows unchecked
	tx                string
}

const (
	noRows  = -1
	anyRows = -2
)

func ok(method, statement string) want {
	return want{method: method, statement: statement, rows: noRows, tx: "-"}
}

func (w want) inTx(id string) want  { w.tx = id; return w }
func (w want) affects(n int64) want { w.rows = n; return w }

// call returns the lines a call with arguments writes: its own, after a
// prepare of the same statement when the driver makes database/sql take
// the prepared route.
func (b *backend) call(w want) []want {
	if !b.argsPrepare {
		return []want{w}
	}
	p := ok("prepare", w.statement)
	p.tx = w.tx
	return []want{p, w}
}

func seq(ws ...[]want) []want {
	var out []want
	for _, w := range ws {
		out = append(out, w...)
	}
	return out
}

func one(w want) []want { return []want{w} }

func rpcOf(m map[string]any) map[string]any {
	r, _ := m["rpc"].(map[string]any)
	return r
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// expect checks the lines of r against ws, one for one, and the fields
// every DB line has.
func (b *backend) expect(t *testing.T, r *rig, ws []want) []map[string]any {
	t.Helper()
	lines := r.rec.Maps()
	if len(lines) != len(ws) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(ws), r.rec)
	}
	for i, w := range ws {
		m := lines[i]
		rpc := rpcOf(m)
		level, outcome := w.level, w.outcome
		if level == "" {
			level, outcome = "INFO", "success"
		}
		checks := []struct{ key, got, want string }{
			{"kind", str(m, "kind"), "db"},
			{"level", str(m, "level"), level},
			{"outcome", str(m, "outcome"), outcome},
			{"rpc.system", str(rpc, "system"), b.system},
			{"rpc.method", str(rpc, "method"), w.method},
		}
		if w.statement != "" {
			checks = append(checks, struct{ key, got, want string }{"rpc.statement", str(rpc, "statement"), w.statement})
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("line %d: %s = %q, want %q\n\t%s", i+1, c.key, c.got, c.want, r.rec.Lines()[i])
			}
		}
		if _, has := m["duration_ms"]; !has {
			t.Errorf("line %d has no duration_ms", i+1)
		}
		switch tx := str(rpc, "transaction_id"); w.tx {
		case "-":
			if tx != "" {
				t.Errorf("line %d: transaction_id %q outside a transaction", i+1, tx)
			}
		case "":
		default:
			if tx != w.tx {
				t.Errorf("line %d: transaction_id %q, want %q", i+1, tx, w.tx)
			}
		}
		n, has := rpc["rows_affected"].(json.Number)
		switch {
		case w.rows == anyRows:
		case w.rows == noRows && has:
			t.Errorf("line %d: rows_affected %s, want none", i+1, n)
		case w.rows >= 0 && (!has || n.String() != fmt.Sprint(w.rows)):
			t.Errorf("line %d: rows_affected %q, want %d", i+1, n, w.rows)
		}
		_, hasEx := m["exception"]
		if failed := level != "INFO"; hasEx != failed {
			t.Errorf("line %d: exception present %v, want %v", i+1, hasEx, failed)
		}
	}
	return lines
}

// runSuite is the one suite every backend passes.
func runSuite(t *testing.T, b *backend) {
	ctx := context.Background()
	tbl := b.table
	p := b.ph
	insert := fmt.Sprintf("INSERT INTO %s (k, v) VALUES (%s, %s), (%s, %s)", tbl, p(1), p(2), p(3), p(4))
	selectV := fmt.Sprintf("SELECT v FROM %s WHERE k = %s", tbl, p(1))

	// Setup writes through a Recorder too, and is itself the first test:
	// DDL through the wrapper.
	setup := b.open(t, rigConfig{})
	create := "CREATE TABLE " + tbl + " (k VARCHAR(64) PRIMARY KEY, v VARCHAR(255))"
	if _, err := setup.db.ExecContext(ctx, create); err != nil {
		t.Fatal(err)
	}
	b.expect(t, setup, one(ok("exec", create).affects(anyRows)))
	t.Cleanup(func() {
		// A pool of its own: the setup pool is closed by its own
		// cleanup, which runs first.
		r := b.open(t, rigConfig{})
		if _, err := r.db.ExecContext(context.Background(), "DROP TABLE "+tbl); err != nil {
			t.Errorf("drop %s: %v", tbl, err)
		}
	})

	t.Run("insert", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		res, err := r.db.ExecContext(ctx, insert, "k1", "one", "k2", "two")
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 2 {
			t.Errorf("RowsAffected = %d, want 2", n)
		}
		b.expect(t, r, b.call(ok("exec", insert).affects(2)))
	})

	t.Run("query", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		q := fmt.Sprintf("SELECT k, v FROM %s WHERE k IN (%s, %s) ORDER BY k", tbl, p(1), p(2))
		rows, err := r.db.QueryContext(ctx, q, "k1", "k2")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			if len(got) == 0 && r.rec.Len() != len(b.call(want{}))-1 {
				t.Errorf("query line written before its rows were read:\n%s", r.rec)
			}
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			got = append(got, k+"="+v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if !reflect.DeepEqual(got, []string{"k1=one", "k2=two"}) {
			t.Errorf("rows = %v", got)
		}
		b.expect(t, r, b.call(ok("query", q)))
	})

	t.Run("prepared", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		sel, err := r.db.PrepareContext(ctx, selectV)
		if err != nil {
			t.Fatal(err)
		}
		defer sel.Close()
		update := fmt.Sprintf("UPDATE %s SET v = %s WHERE k = %s", tbl, p(1), p(2))
		upd, err := r.db.PrepareContext(ctx, update)
		if err != nil {
			t.Fatal(err)
		}
		defer upd.Close()
		res, err := upd.ExecContext(ctx, "uno", "k1")
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Errorf("RowsAffected = %d", n)
		}
		var v string
		if err := sel.QueryRowContext(ctx, "k1").Scan(&v); err != nil || v != "uno" {
			t.Fatalf("v = %q, %v", v, err)
		}
		b.expect(t, r, []want{
			ok("prepare", selectV), ok("prepare", update),
			ok("exec", update).affects(1), ok("query", selectV),
		})
	})

	t.Run("transaction", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		count := "SELECT count(*) FROM " + tbl
		var n1, n2 int
		// Committed: the rows stay.
		tx, err := r.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, insert, "k3", "three", "k4", "four"); err != nil {
			t.Fatal(err)
		}
		if err := tx.QueryRowContext(ctx, count).Scan(&n1); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		// Rolled back: the rows go.
		tx, err = r.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, insert, "k5", "five", "k6", "six"); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if err := r.db.QueryRowContext(ctx, count).Scan(&n2); err != nil {
			t.Fatal(err)
		}
		if n2 != n1 {
			t.Errorf("count after rollback %d, want %d", n2, n1)
		}

		// The ids are given at begin; read them from there and check
		// that every call inside carries its transaction's.
		lines := r.rec.Maps()
		first := str(rpcOf(lines[0]), "transaction_id")
		second := ""
		for _, m := range lines {
			if str(rpcOf(m), "method") == "begin" {
				second = str(rpcOf(m), "transaction_id")
			}
		}
		idForm := regexp.MustCompile(`^c[0-9]+-t[0-9]+$`)
		if !idForm.MatchString(first) || !idForm.MatchString(second) || first == second {
			t.Errorf("transaction ids %q and %q: want two different c<n>-t<n>", first, second)
		}
		b.expect(t, r, seq(
			one(ok("begin", "").inTx(first)),
			b.call(ok("exec", insert).affects(2).inTx(first)),
			one(ok("query", count).inTx(first)),
			one(ok("commit", "").inTx(first)),
			one(ok("begin", "").inTx(second)),
			b.call(ok("exec", insert).affects(2).inTx(second)),
			one(ok("rollback", "").inTx(second)),
			one(ok("query", count)),
		))
	})

	t.Run("error", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		bad := "SELEC nothing FROM nowhere"
		if _, err := r.db.ExecContext(ctx, bad); err == nil {
			t.Fatal("syntax error not reported")
		}
		if _, err := r.db.QueryContext(ctx, bad); err == nil {
			t.Fatal("syntax error not reported")
		}
		failed := ok("exec", bad)
		failed.level, failed.outcome = "ERROR", "failure"
		lines := b.expect(t, r, []want{failed, {method: "query", statement: bad, level: "ERROR", outcome: "failure", rows: noRows, tx: "-"}})
		for _, m := range lines {
			ex, _ := m["exception"].(map[string]any)
			if str(ex, "message") == "" || str(ex, "type") == "" {
				t.Errorf("exception = %v, want message and type", m["exception"])
			}
		}
	})

	t.Run("no rows", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		var v string
		err := r.db.QueryRowContext(ctx, selectV, "missing").Scan(&v)
		if !errors.Is(err, sql.ErrNoRows) {
			t.Fatalf("err = %v, want sql.ErrNoRows", err)
		}
		b.expect(t, r, b.call(ok("query", selectV)))
	})

	t.Run("args not logged", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		secret := "hunter2-" + uniqueTable()
		update := fmt.Sprintf("UPDATE %s SET v = %s WHERE k = %s", tbl, p(1), p(2))
		if _, err := r.db.ExecContext(ctx, update, secret, "k2"); err != nil {
			t.Fatal(err)
		}
		for _, m := range b.expect(t, r, b.call(ok("exec", update).affects(1))) {
			if _, has := m["attrs"]; has {
				t.Errorf("attrs without WithArgs: %v", m["attrs"])
			}
		}
		if strings.Contains(r.rec.String(), secret) {
			t.Errorf("argument in a line:\n%s", r.rec)
		}
	})

	t.Run("args redacted", func(t *testing.T) {
		testArgs(t, b)
	})

	t.Run("slow threshold", func(t *testing.T) {
		r := b.open(t, rigConfig{opts: []sqlaudit.Option{sqlaudit.WithSlowThreshold(100 * time.Millisecond)}})
		var x any
		if err := r.db.QueryRowContext(ctx, "SELECT 1").Scan(&x); err != nil {
			t.Fatal(err)
		}
		if err := r.db.QueryRowContext(ctx, b.slowSQL).Scan(&x); err != nil {
			t.Fatal(err)
		}
		// A failure is logged however fast it was.
		bad := "SELEC 1"
		if _, err := r.db.ExecContext(ctx, bad); err == nil {
			t.Fatal("syntax error not reported")
		}
		failed := ok("exec", bad)
		failed.level, failed.outcome = "ERROR", "failure"
		lines := b.expect(t, r, []want{ok("query", b.slowSQL), failed})
		if d, _ := lines[0]["duration_ms"].(json.Number).Float64(); d < 100 {
			t.Errorf("slow call took %v ms by its line", d)
		}
	})

	t.Run("switch off", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		r.sw.DB = false
		tx, err := r.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := tx.QueryRowContext(ctx, selectV, "k1").Scan(&v); err != nil || v != "uno" {
			t.Fatalf("v = %q, %v", v, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if n := r.rec.Len(); n != 0 {
			t.Fatalf("%d lines with the DB switch off:\n%s", n, r.rec)
		}
		// The switch is read per call, so turning it on takes effect
		// on the open pool.
		r.sw.DB = true
		if err := r.db.QueryRowContext(ctx, selectV, "k1").Scan(&v); err != nil {
			t.Fatal(err)
		}
		b.expect(t, r, b.call(ok("query", selectV)))
	})

	t.Run("concurrency", func(t *testing.T) {
		const goroutines, calls = 8, 25
		r := b.open(t, rigConfig{maxOpen: 4})
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range calls {
					var v string
					k := []string{"k1", "k2"}[(g+i)%2]
					if err := r.db.QueryRowContext(ctx, selectV, k).Scan(&v); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		lines := r.rec.Maps()
		perCall := len(b.call(want{}))
		if len(lines) != goroutines*calls*perCall {
			t.Fatalf("%d lines, want %d", len(lines), goroutines*calls*perCall)
		}
		seqs := map[string]bool{}
		queries := 0
		for _, m := range lines {
			seqs[fmt.Sprint(m["seq"])] = true
			if str(rpcOf(m), "method") == "query" && str(m, "level") == "INFO" {
				queries++
			}
		}
		if len(seqs) != len(lines) || queries != goroutines*calls {
			t.Errorf("%d distinct seq for %d lines; %d good query lines, want %d", len(seqs), len(lines), queries, goroutines*calls)
		}
	})

	t.Run("request context", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		rctx := auditlog.NewContext(ctx, auditlog.Request{
			ID:   "req-6c2f1c8e-0b7a-4a63-9f57-0d3c2b1a9e88",
			User: auditlog.User{ID: "9a1f", ProjectID: "p-42"},
		})
		tx, err := r.db.BeginTx(rctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := tx.QueryRowContext(rctx, selectV, "k1").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		for i, m := range b.expect(t, r, seq(one(ok("begin", "").inTx("")), b.call(ok("query", selectV).inTx("")), one(ok("commit", "").inTx("")))) {
			c, _ := m["context"].(map[string]any)
			u, _ := m["user"].(map[string]any)
			if str(c, "request_id") != "req-6c2f1c8e-0b7a-4a63-9f57-0d3c2b1a9e88" || str(u, "id") != "9a1f" {
				t.Errorf("line %d: context %v user %v", i+1, c, u)
			}
		}
	})

	t.Run("lost lines", func(t *testing.T) { b.testDelivery(t) })

	t.Run("ping", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		if err := r.db.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
		b.expect(t, r, nil)
		r = b.open(t, rigConfig{opts: []sqlaudit.Option{sqlaudit.WithPing(true)}})
		if err := r.db.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
		b.expect(t, r, one(ok("ping", "")))
	})

	t.Run("cancel", func(t *testing.T) {
		r := b.open(t, rigConfig{})
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		rows, err := r.db.QueryContext(cctx, b.cancelSQL)
		if err == nil {
			// Some drivers answer at once and run the query while
			// the rows are read.
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		took := time.Since(start)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if took > 5*time.Second {
			t.Errorf("canceled query returned after %v", took)
		}
		canceled := ok("query", b.cancelSQL)
		canceled.level, canceled.outcome = "WARNING", "unknown"
		m := b.expect(t, r, one(canceled))[0]
		ex, _ := m["exception"].(map[string]any)
		t.Logf("%v after %v; exception message %q", err, took, str(ex, "message"))
		if str(ex, "message") == "" {
			t.Errorf("canceled query's line has no exception message")
		}
	})
}
