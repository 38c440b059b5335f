package auditlog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/auditlog-go/auditlog/auditlog"
)

// exampleOptions makes output reproducible: a fixed clock and a fresh sequence.
func exampleOptions() *auditlog.Options {
	return &auditlog.Options{
		Service:  "nova-api",
		Now:      func() time.Time { return time.Date(2026, 11, 23, 9, 30, 0, 123456000, time.UTC) },
		Sequence: new(auditlog.Sequence),
	}
}

// A slog.Logger over the handler writes audit lines. Attributes built with
// the package's constructors fill the line's own keys; the rest go to attrs,
// with keys sorted and secrets masked.
func Example() {
	logger := auditlog.New(os.Stdout, exampleOptions())
	ctx := auditlog.NewContext(context.Background(), auditlog.Request{
		ID:   "req-6c2f1c8e-0b7a-4a63-9f57-0d3c2b1a9e88",
		User: auditlog.User{ID: "9a1f", Name: "alice", ProjectID: "p-42"},
	})
	logger.InfoContext(ctx, "server paused",
		auditlog.Action("pause"),
		auditlog.Target{Type: "server", ID: "5f1e0b9c"}.Attr(),
		"host", "compute-3",
		"password", "hunter2",
	)
	// Output:
	// {"action":"pause","attrs":{"host":"compute-3","password":"[REDACTED]"},"context":{"request_id":"req-6c2f1c8e-0b7a-4a63-9f57-0d3c2b1a9e88"},"kind":"log","level":"INFO","message":"server paused","schema_version":1,"seq":1,"service":"nova-api","target":{"id":"5f1e0b9c","type":"server"},"timestamp":"2026-11-23T09:30:00.123456Z","user":{"id":"9a1f","name":"alice","project_id":"p-42"}}
}

// LogEvent is the typed fast path: an Event value, no boxing, no allocation.
func ExampleHandler_LogEvent() {
	h := auditlog.NewHandler(os.Stdout, exampleOptions())
	ctx := auditlog.WithRequestID(context.Background(), "req-1")
	_ = h.LogEvent(ctx, &auditlog.Event{
		Kind:     auditlog.KindRequest,
		Message:  "POST /v2.1/servers",
		Action:   "create",
		Target:   auditlog.Target{Type: "server"},
		RPC:      auditlog.RPC{System: "http", Method: "POST", Route: "/v2.1/servers", ResponseBytes: auditlog.Int(1523)},
		Status:   auditlog.Int(202),
		Outcome:  auditlog.OutcomeSuccess,
		Duration: 48250 * time.Microsecond,
	})
	// Output:
	// {"action":"create","context":{"request_id":"req-1"},"duration_ms":48.25,"kind":"request","level":"INFO","message":"POST /v2.1/servers","outcome":"success","rpc":{"method":"POST","response_bytes":1523,"route":"/v2.1/servers","system":"http"},"schema_version":1,"seq":1,"service":"nova-api","status":202,"target":{"type":"server"},"timestamp":"2026-11-23T09:30:00.123456Z"}
}

// An error attribute (err, error, or auditlog.Err) becomes the exception
// object: type, message, the chain it wraps, and where it was logged.
func ExampleErr() {
	var buf bytes.Buffer
	logger := auditlog.New(&buf, exampleOptions())
	err := fmt.Errorf("attach volume: %w", errors.New("quota exceeded"))
	logger.Error("attach failed", auditlog.Err(err))

	var line struct {
		Exception struct {
			Type, Message, Stacktrace string
			Chain                     []struct{ Type, Message string }
		}
	}
	_ = json.Unmarshal(buf.Bytes(), &line)
	ex := line.Exception
	fmt.Println(ex.Type, "|", ex.Message, "|", ex.Chain)
	fmt.Println(strings.SplitN(ex.Stacktrace, "\n", 2)[0])
	// Output:
	// *fmt.wrapError | attach volume: quota exceeded | [{*errors.errorString quota exceeded}]
	// github.com/auditlog-go/auditlog/auditlog_test.ExampleErr()
}

// Hash mode keeps a secret out of the line but lets an operator who knows a
// value (and the salt) find the lines that carried it.
func ExampleRedaction_Hash() {
	r := &auditlog.Redaction{Mode: auditlog.RedactHash, Salt: []byte("s3cret-salt")}
	opts := exampleOptions()
	opts.Redaction = r
	logger := auditlog.New(os.Stdout, opts)
	logger.Info("token issued", "x_auth_token", "gAAAAABk")
	fmt.Println(r.Hash("gAAAAABk"))
	// Output:
	// {"attrs":{"x_auth_token":"hmac-sha256:8560420e2e697eea9a25bbf47342c47a5f2bdb8071518930e53ad10f929c001f"},"kind":"log","level":"INFO","message":"token issued","schema_version":1,"seq":1,"service":"nova-api","timestamp":"2026-11-23T09:30:00.123456Z"}
	// hmac-sha256:8560420e2e697eea9a25bbf47342c47a5f2bdb8071518930e53ad10f929c001f
}

// The four switches of the Nova audit-logging spec, as flags on the
// caller's FlagSet.
func ExampleSwitches_RegisterFlags() {
	sw := auditlog.AllSwitches()
	fs := pflag.NewFlagSet("nova-api", pflag.ContinueOnError)
	sw.RegisterFlags(fs)
	_ = fs.Parse([]string{"--no-db-performance-logging"})
	fmt.Printf("%+v\n", sw)
	// Output:
	// {Request:true RPC:true DB:false Exception:true}
}
