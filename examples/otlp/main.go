// Command otlp writes the same audit records two ways at once: as audit lines
// on stdout (the auditlog handler) and as OpenTelemetry log records shipped
// over OTLP/HTTP to a Collector (the otelslog bridge and the OTLP exporter),
// through one slog.Logger over slog.NewMultiHandler.
//
//	go run . --endpoint localhost:4318 --insecure
//
// It lives in a module of its own so that the OpenTelemetry SDK and exporter
// stay out of the main module's go.mod: the auditlog package itself needs
// only the OpenTelemetry trace API.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/auditlog-go/auditlog/auditlog"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("otlp", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", "localhost:4318", "OTLP/HTTP endpoint of the Collector (host:port)")
	insecure := fs.Bool("insecure", false, "use plain HTTP instead of HTTPS")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	ctx := context.Background()
	// The exporter reports failed exports to OpenTelemetry's global error
	// handler, not to the caller; count them so that a Collector that is
	// down makes the command fail instead of printing and exiting 0.
	var failures atomic.Int64
	var lastErr atomic.Value
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		failures.Add(1)
		lastErr.Store(err.Error())
	}))
	opts := []otlploghttp.Option{otlploghttp.WithEndpoint(*endpoint)}
	if *insecure {
		opts = append(opts, otlploghttp.WithInsecure())
	}
	exporter, err := otlploghttp.New(ctx, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "otlp: %v\n", err)
		return 1
	}
	// A simple (synchronous) processor: an audit record is shipped before
	// the call that logged it returns. A busy service would use a batch
	// processor and accept that a crash loses the last batch.
	provider := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exporter)))

	logger := slog.New(slog.NewMultiHandler(
		auditlog.NewHandler(stdout, &auditlog.Options{Service: "otlp-demo"}),
		otelslog.NewHandler("github.com/auditlog-go/auditlog/examples/otlp", otelslog.WithLoggerProvider(provider)),
	))
	emit(ctx, logger)

	shutdown, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := provider.Shutdown(shutdown); err != nil {
		fmt.Fprintf(stderr, "otlp: shipping to %s: %v\n", *endpoint, err)
		return 1
	}
	if n := failures.Load(); n > 0 {
		fmt.Fprintf(stderr, "otlp: %d exports to %s failed; last: %v\n", n, *endpoint, lastErr.Load())
		return 1
	}
	return 0
}

// emit logs a small audit trail: a served request and a lifecycle record.
func emit(ctx context.Context, logger *slog.Logger) {
	ctx = auditlog.NewContext(ctx, auditlog.Request{
		ID:   "req-1f0c2b7e-4a5d-4c3b-9e8f-0a1b2c3d4e5f",
		User: auditlog.User{ID: "9a1f", Name: "alice", ProjectID: "p-42"},
	})
	logger.InfoContext(ctx, "POST /v2.1/servers/5f1e0b9c/action",
		auditlog.KindRequest.Attr(),
		auditlog.Action("pause"),
		auditlog.Target{Type: "server", ID: "5f1e0b9c"}.Attr(),
		auditlog.Status(202),
		auditlog.Duration(48*time.Millisecond),
		"request_id", "req-1f0c2b7e-4a5d-4c3b-9e8f-0a1b2c3d4e5f",
	)
	logger.InfoContext(ctx, "server paused", auditlog.KindLifecycle.Attr(), auditlog.Action("pause"))
}
