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
}
