package bench

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog"
)

// BenchmarkLine writes the same audit event with each peer, to io.Discard,
// first on one goroutine and then from all of them. Names are
// Line/<serial|parallel>/<peer>, which cmd/benchtable pairs.
func BenchmarkLine(b *testing.B) {
	ctx := requestContext()
	for _, mode := range []string{"serial", "parallel"} {
		b.Run(mode, func(b *testing.B) {
			for _, p := range peers {
				b.Run(p.name, func(b *testing.B) {
					b.SetBytes(lineLen(b, p))
					emit := p.new(io.Discard)
					b.ReportAllocs()
					if mode == "serial" {
						benchSerial(b, ctx, emit)
					} else {
						benchParallel(b, ctx, emit)
					}
				})
			}
		})
	}
}

func benchSerial(b *testing.B, ctx context.Context, emit emitFunc) {
	for b.Loop() {
		if err := emit(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func benchParallel(b *testing.B, ctx context.Context, emit emitFunc) {
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := emit(ctx); err != nil {
				// Fatal may not be called from this goroutine.
				b.Error(err)
				return
			}
		}
	})
}

// lineLen is the length of the line p writes, newline included, so that
// MB/s is lines' worth of bytes.
func lineLen(b *testing.B, p peer) int64 {
	var buf bytes.Buffer
	if err := p.new(&buf)(requestContext()); err != nil {
		b.Fatal(err)
	}
	return int64(buf.Len())
}

// ctxSink keeps the compiler from dropping the work of BenchmarkAttachContext.
var ctxSink context.Context

// BenchmarkAttachContext is what a middleware pays per request to attach the
// request context: one NewContext, against one helper call per field.
func BenchmarkAttachContext(b *testing.B) {
	parent := context.Background()
	attach := auditlog.Request{
		ID:         req.ID,
		GlobalID:   req.GlobalID,
		User:       auditlog.User{ID: req.User.ID, Name: req.User.Name, ProjectID: req.User.ProjectID},
		RemoteAddr: remoteAddr,
	}
	b.Run("new-context", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctxSink = auditlog.NewContext(parent, attach)
		}
	})
	// A middleware that allocates a per-request object anyway (its
	// response-writer wrapper) embeds an Attachment in it: attaching then
	// adds no allocation. The wrapper's own allocation is the middleware's.
	b.Run("attachment", func(b *testing.B) {
		holder := new(struct {
			status int
			auditlog.Attachment
		})
		b.ReportAllocs()
		for b.Loop() {
			ctxSink = holder.Attach(parent, attach)
		}
	})
	b.Run("with-helpers", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx := auditlog.WithRequestID(parent, req.ID)
			ctx = auditlog.WithGlobalRequestID(ctx, req.GlobalID)
			ctx = auditlog.WithUser(ctx, auditlog.User{ID: req.User.ID, Name: req.User.Name})
			ctx = auditlog.WithProject(ctx, req.User.ProjectID)
			ctxSink = auditlog.WithRemoteAddr(ctx, remoteAddr)
		}
	})
}
