package bench

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
)

// nopHandler accepts every record and does nothing: with it, a benchmark
// measures what slog.Logger itself costs for a call, before any handler work.
type nopHandler struct{}

func (nopHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (nopHandler) Handle(context.Context, slog.Record) error { return nil }
func (h nopHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h nopHandler) WithGroup(string) slog.Handler           { return h }

// logSlogAttrs is the auditlog-slog call, on any slog.Logger.
func logSlogAttrs(ctx context.Context, logger *slog.Logger) {
	logger.LogAttrs(ctx, slog.LevelInfo, message,
		auditlog.Action(action),
		target.Attr(),
		rpc.Attr(),
		auditlog.Status(status),
		auditlog.Duration(duration),
		auditlog.OutcomeSuccess.Attr(),
		auditlog.KindRequest.Attr(),
	)
}

// plainFloors are the auditlog-plain, -kv and -with calls, by the name of
// their SlogFloor benchmark, for the benchmark and for TestPlainAllocs.
var plainFloors = []struct {
	name   string
	logger func(*slog.Logger) *slog.Logger // what the peer does once
	log    func(context.Context, *slog.Logger)
}{
	{"plain", func(l *slog.Logger) *slog.Logger { return l }, logPlain},
	{"kv", func(l *slog.Logger) *slog.Logger { return l }, logKV},
	{"with", withFixed, logWith},
}

// BenchmarkSlogFloor splits the auditlog-slog line into its two halves:
// "logger" is the same call through slog.Logger with a handler that does
// nothing (the floor no slog handler can go below: it captures the caller's
// PC, builds the Record and boxes the struct attributes), and "handler" is
// our Handler.Handle alone on a ready Record.
func BenchmarkSlogFloor(b *testing.B) {
	ctx := requestContext()
	b.Run("logger", func(b *testing.B) {
		logger := slog.New(nopHandler{})
		b.ReportAllocs()
		for b.Loop() {
			logSlogAttrs(ctx, logger)
		}
	})
	// The plain peers' calls on the same do-nothing handler: what a slog
	// user pays before any handler work (slog.Group's []Attr, the Record's
	// overflow slice past five attributes, key/value boxing).
	for _, f := range plainFloors {
		b.Run(f.name, func(b *testing.B) {
			logger := f.logger(slog.New(nopHandler{}))
			b.ReportAllocs()
			for b.Loop() {
				f.log(ctx, logger)
			}
		})
	}
	b.Run("handler", func(b *testing.B) {
		h := auditlog.NewHandler(io.Discard, auditlogOptions())
		r := slog.NewRecord(time.Now(), slog.LevelInfo, message, 0)
		r.AddAttrs(auditlog.Action(action), target.Attr(), rpc.Attr(), auditlog.Status(status),
			auditlog.Duration(duration), auditlog.OutcomeSuccess.Attr(), auditlog.KindRequest.Attr())
		b.ReportAllocs()
		for b.Loop() {
			_ = h.Handle(ctx, r)
		}
	})
	// Handle alone on a ready Record holding the plain peers' attributes:
	// the handler's own share of auditlog-plain and auditlog-with.
	plainRecord := func(with bool) slog.Record {
		var r slog.Record
		logger := slog.New(recordHandler{&r})
		if with {
			logWith(ctx, logger)
		} else {
			logPlain(ctx, logger)
		}
		return r
	}
	b.Run("handler-plain", func(b *testing.B) {
		h := auditlog.NewHandler(io.Discard, auditlogOptions())
		r := plainRecord(false)
		b.ReportAllocs()
		for b.Loop() {
			_ = h.Handle(ctx, r)
		}
	})
	b.Run("handler-with", func(b *testing.B) {
		h := withFixed(slog.New(auditlog.NewHandler(io.Discard, auditlogOptions()))).Handler()
		r := plainRecord(true)
		b.ReportAllocs()
		for b.Loop() {
			_ = h.Handle(ctx, r)
		}
	})
}

// recordHandler keeps the last record it is given, so that a benchmark can
// build a Record exactly as slog.Logger does and hand it to another handler.
type recordHandler struct{ r *slog.Record }

func (recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	*h.r = r.Clone()
	return nil
}
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordHandler) WithGroup(string) slog.Handler      { return h }
