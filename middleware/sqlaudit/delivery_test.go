package sqlaudit_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware/internal/failtrail"
	"github.com/auditlog-go/auditlog/middleware/sqlaudit"
	"github.com/auditlog-go/auditlog/schema"
)

// testDelivery runs a transaction and a query through a trail that loses
// every line (an AsyncWriter under Fail whose destination is down, or whose
// buffer is full), and checks that the service's error handler is told of
// each lost line with the call it described, that the Reporter counts them,
// and that the calls themselves succeed: the row is committed and read
// back. On a healthy trail nothing is reported and every line arrives.
func (b *backend) testDelivery(t *testing.T) {
	p := b.ph
	for _, mode := range failtrail.Modes {
		t.Run(mode.String(), func(t *testing.T) {
			tr := failtrail.New(t, mode, "sqlaudit-test")
			rep := tr.Reporter()
			db, err := sqlaudit.Open(b.driver, b.dsn, rep)
			if err != nil {
				t.Fatal(err)
			}
			db.SetMaxOpenConns(1)
			t.Cleanup(func() { db.Close() })

			ctx := auditlog.WithRequestID(context.Background(), "req-delivery-db")
			key := "lost-" + mode.String()
			insert := fmt.Sprintf("INSERT INTO %s (k, v) VALUES (%s, %s)", b.table, p(1), p(2))
			query := fmt.Sprintf("SELECT v FROM %s WHERE k = %s", b.table, p(1))
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatalf("begin: %v", err)
			}
			if _, err := tx.ExecContext(ctx, insert, key, "kept"); err != nil {
				t.Fatalf("insert: %v", err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatalf("commit: %v", err)
			}
			var v string
			if err := db.QueryRowContext(ctx, query, key).Scan(&v); err != nil || v != "kept" {
				t.Fatalf("read back %q, %v; want \"kept\": a lost line must not fail the call", v, err)
			}

			type want struct {
				method, statement string
				inTx              bool
			}
			var wants []want
			withArgs := func(w want) {
				if b.argsPrepare {
					wants = append(wants, want{"prepare", w.statement, w.inTx})
				}
				wants = append(wants, w)
			}
			wants = append(wants, want{"begin", "", true})
			withArgs(want{"exec", insert, true})
			wants = append(wants, want{"commit", "", true})
			withArgs(want{"query", query, false})

			if mode == failtrail.Healthy {
				lines := tr.Lines(t)
				if len(lines) != len(wants) {
					t.Errorf("%d lines delivered, want %d: %q", len(lines), len(wants), lines)
				}
				for _, l := range lines {
					if err := schema.Validate([]byte(l)); err != nil {
						t.Errorf("line %s: %v", l, err)
					}
				}
				if n, s := rep.Errors(), tr.Seen(); n != 0 || len(s) != 0 || rep.Failing() {
					t.Errorf("healthy trail: Errors %d, handler told %d times, Failing %v; want 0, 0, false", n, len(s), rep.Failing())
				}
				return
			}

			seen := tr.Seen() // database/sql calls report before they return
			if len(seen) != len(wants) {
				t.Fatalf("handler told of %d lost lines, want %d: %+v", len(seen), len(wants), seen)
			}
			for i, w := range wants {
				s := seen[i]
				c := s.Call
				if c.Kind != auditlog.KindDB || c.RPC.System != b.system || c.RPC.Method != w.method ||
					(w.statement != "" && c.RPC.Statement != w.statement) ||
					(c.RPC.TransactionID != "") != w.inTx || s.RequestID != "req-delivery-db" {
					t.Errorf("lost line %d: kind %s, %s %s %q, tx %q, request %s; want db, %s %s %q, in a transaction %v, request req-delivery-db",
						i, c.Kind, c.RPC.System, c.RPC.Method, c.RPC.Statement, c.RPC.TransactionID, s.RequestID,
						b.system, w.method, w.statement, w.inTx)
				}
				if !tr.WantErr(s.Err) {
					t.Errorf("lost line %d: error %v, want the trail's (%s)", i, s.Err, mode)
				}
			}
			if n := rep.Errors(); n != uint64(len(wants)) || !rep.Failing() {
				t.Errorf("Errors %d, Failing %v; want %d, true", n, rep.Failing(), len(wants))
			}
		})
	}
}
