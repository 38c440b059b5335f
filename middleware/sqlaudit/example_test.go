package sqlaudit_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/sqlaudit"
)

// exampleReporter writes to w with a fixed clock and a fresh sequence, so
// that the examples' lines are the same on every run.
func exampleReporter(w io.Writer) *middleware.Reporter {
	return middleware.NewReporter(auditlog.NewHandler(w, &auditlog.Options{
		Service:  "nova-api",
		Now:      func() time.Time { return time.Date(2026, 11, 23, 9, 30, 0, 123456000, time.UTC) },
		Sequence: new(auditlog.Sequence),
	}))
}

// printFields prints chosen keys of each line: duration_ms differs from run
// to run, and the transaction id starts with a connection number that
// depends on what else the process has opened, so the examples show the
// rest. A real line looks like
//
//	{"context":{"request_id":"req-1"},"duration_ms":0.041,"kind":"db","level":"INFO","message":"main/exec","outcome":"success","rpc":{"method":"exec","rows_affected":2,"service":"main","statement":"INSERT INTO servers VALUES (?, ?), (?, ?)","system":"sqlite","transaction_id":"c1-t1"},"schema_version":1,"seq":3,"service":"nova-api","timestamp":"2026-11-23T09:30:00.123456Z"}
func printFields(r io.Reader, keys ...string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			fmt.Println(err)
			return
		}
		var out []string
		for _, k := range keys {
			v := lookup(m, k)
			if v == nil {
				continue
			}
			if k == "rpc.transaction_id" {
				_, v, _ = strings.Cut(v.(string), "-") // c<conn>-t<n> → t<n>
			}
			js, _ := json.Marshal(v)
			out = append(out, k+"="+string(js))
		}
		fmt.Println(strings.Join(out, " "))
	}
}

// lookup returns the value at a dotted path such as "rpc.method".
func lookup(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[k]
	}
	return v
}

// Open a pool through the wrapper, and every call writes a line: the
// operation, the statement (never its arguments), the rows an exec
// touched, the transaction, the request context of ctx, and what went
// wrong.
func Example() {
	var out bytes.Buffer
	db, err := sqlaudit.Open("sqlite", "file::memory:", exampleReporter(&out), sqlaudit.WithDatabase("main"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // each connection to :memory: is a database of its own

	ctx := auditlog.WithRequestID(context.Background(), "req-1")
	_, _ = db.ExecContext(ctx, "CREATE TABLE servers (id TEXT PRIMARY KEY, state TEXT)")
	tx, _ := db.BeginTx(ctx, nil)
	_, _ = tx.ExecContext(ctx, "INSERT INTO servers VALUES (?, ?), (?, ?)", "5f1e", "active", "9a1f", "paused")
	_ = tx.Commit()
	var state string
	_ = db.QueryRowContext(ctx, "SELECT state FROM servers WHERE id = ?", "5f1e").Scan(&state)
	err = db.QueryRowContext(ctx, "SELECT state FROM servers WHERE id = ?", "0000").Scan(&state)
	fmt.Println("no such server:", err == sql.ErrNoRows)
	_, err = db.ExecContext(ctx, "DELETE FROM server")
	fmt.Println(err)

	printFields(&out, "seq", "level", "outcome", "rpc.method", "rpc.statement", "rpc.rows_affected",
		"rpc.transaction_id", "context.request_id", "exception.message")
	// Output:
	// no such server: true
	// SQL logic error: no such table: server (1)
	// seq=1 level="INFO" outcome="success" rpc.method="exec" rpc.statement="CREATE TABLE servers (id TEXT PRIMARY KEY, state TEXT)" rpc.rows_affected=0 context.request_id="req-1"
	// seq=2 level="INFO" outcome="success" rpc.method="begin" rpc.transaction_id="t1" context.request_id="req-1"
	// seq=3 level="INFO" outcome="success" rpc.method="exec" rpc.statement="INSERT INTO servers VALUES (?, ?), (?, ?)" rpc.rows_affected=2 rpc.transaction_id="t1" context.request_id="req-1"
	// seq=4 level="INFO" outcome="success" rpc.method="commit" rpc.transaction_id="t1" context.request_id="req-1"
	// seq=5 level="INFO" outcome="success" rpc.method="query" rpc.statement="SELECT state FROM servers WHERE id = ?" context.request_id="req-1"
	// seq=6 level="INFO" outcome="success" rpc.method="query" rpc.statement="SELECT state FROM servers WHERE id = ?" context.request_id="req-1"
	// seq=7 level="ERROR" outcome="failure" rpc.method="exec" rpc.statement="DELETE FROM server" context.request_id="req-1" exception.message="SQL logic error: no such table: server (1)"
}

// With WithArgs, arguments are logged redacted: a named one under the
// handler's key rules (a password is masked), a positional one masked
// unless the redactor reveals it.
func ExampleWithArgs() {
	var out bytes.Buffer
	revealIDs := func(ordinal int, name string, v any) any {
		if name == "id" || ordinal == 2 {
			return v
		}
		return auditlog.Masked
	}
	db, err := sqlaudit.Open("sqlite", "file::memory:", exampleReporter(&out),
		sqlaudit.WithArgs(true), sqlaudit.WithArgRedactor(revealIDs))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	ctx := context.Background()
	_, _ = db.ExecContext(ctx, "CREATE TABLE users (id TEXT PRIMARY KEY, password TEXT)")
	_, _ = db.ExecContext(ctx, "INSERT INTO users VALUES (:id, :password)",
		sql.Named("id", "9a1f"), sql.Named("password", "hunter2"))
	_, _ = db.ExecContext(ctx, "UPDATE users SET password = ? WHERE id = ?", "correct horse", "9a1f")

	printFields(&out, "rpc.statement", "attrs.args")
	// Output:
	// rpc.statement="CREATE TABLE users (id TEXT PRIMARY KEY, password TEXT)"
	// rpc.statement="INSERT INTO users VALUES (:id, :password)" attrs.args=[{"id":"9a1f"},{"password":"[REDACTED]"}]
	// rpc.statement="UPDATE users SET password = ? WHERE id = ?" attrs.args=["[REDACTED]","9a1f"]
}
